import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every module specifier a file imports or re-exports, statically or dynamically. */
export function importsOf(text: string): string[] {
  const specs = new Set<string>();
  const patterns = [
    /\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.add(m[1]!);
  return [...specs];
}

const builtins = new Set(builtinModules);
const isBuiltin = (spec: string) => spec.startsWith('node:') || builtins.has(spec.split('/')[0]!);
const resolvesUnder = (file: string, spec: string, dir: string) =>
  spec.startsWith('.') && (resolve(dirname(file), spec) + sep).startsWith(join(root, dir) + sep);

describe('architecture', () => {
  it('the import scanner finds static, re-exported, dynamic and type imports', () => {
    const text = `import a from 'x';\nimport type { B } from "../y.js";\nexport * from './z.js';\nconst m = await import('node:fs');\nimport {\n  c,\n  d,\n} from 'multi';`;
    expect(importsOf(text).sort()).toEqual(['../y.js', './z.js', 'multi', 'node:fs', 'x'].sort());
  });

  it('shared/domain imports nothing outside itself but node built-ins and zod', () => {
    const offenders: string[] = [];
    const files = sourceFiles(join(root, 'shared/domain'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const ok =
          isBuiltin(spec) || spec === 'zod' || spec.startsWith('zod/') || resolvesUnder(file, spec, 'shared/domain');
        if (!ok) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('nothing outside functions/ imports from functions/, and handlers do not import each other', () => {
    const offenders: string[] = [];
    for (const top of ['shared', 'infra', 'functions']) {
      let files: string[] = [];
      try {
        files = sourceFiles(join(root, top));
      } catch {
        continue;
      }
      for (const file of files) {
        const rel = relative(root, file);
        const ownFolder = rel.split(sep).slice(0, 2).join(sep);
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (!spec.startsWith('.')) continue;
          const target = relative(root, resolve(dirname(file), spec));
          if (!target.startsWith(`functions${sep}`)) continue;
          // The CLI is the local composition root: it may start the simulator and call the use cases.
          const allowed =
            top === 'functions' && (target.startsWith(ownFolder + sep) || ownFolder === join('functions', 'cli'));
          if (!allowed) offenders.push(`${rel} imports ${spec}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });
  /** Of the files given (path, text), those that import (relatively) anything `forbidden` says no to. */
  function offendersIn(files: [string, string][], forbidden: (target: string) => boolean): string[] {
    const offenders: string[] = [];
    for (const [file, text] of files)
      for (const spec of importsOf(text)) {
        if (!spec.startsWith('.')) continue;
        const target = relative(root, resolve(dirname(file), spec))
          .split(sep)
          .join('/');
        if (forbidden(target)) offenders.push(`${relative(root, file)} imports ${spec}`);
      }
    return offenders;
  }
  /** `dir`'s files that import anything `forbidden` says no to. */
  function importsFrom(dir: string, forbidden: (target: string) => boolean): string[] {
    const files = sourceFiles(join(root, dir));
    expect(files.length).toBeGreaterThan(0);
    return offendersIn(
      files.map((f) => [f, readFileSync(f, 'utf8')]),
      forbidden,
    );
  }
  /** The modules that compute figures (METRICS.md): the engine. */
  const ENGINE = ['summary', 'kpi', 'staffing', 'budget', 'forecast', 'changes', 'erlang'].map(
    (m) => `shared/domain/${m}.js`,
  );
  const under = (target: string, ...dirs: string[]) => dirs.some((d) => target.startsWith(`${d}/`));

  it('the store keeps keys and stored formats: it runs no engine and calls no use case, source or mail', () => {
    expect(
      importsFrom(
        'shared/store',
        (t) => ENGINE.includes(t) || under(t, 'shared/usecases', 'shared/sources', 'shared/mail'),
      ),
    ).toEqual([]);
  });

  it('the domain holds no storage format: nothing in shared/domain imports the store, its formats or a use case', () => {
    expect(importsFrom('shared/domain', (t) => under(t, 'shared/store', 'shared/usecases'))).toEqual([]);
  });

  it('adapters only translate shapes: shared/sources imports neither the engine, the store nor a use case', () => {
    expect(
      importsFrom('shared/sources', (t) => ENGINE.includes(t) || under(t, 'shared/store', 'shared/usecases')),
    ).toEqual([]);
  });

  it('use cases sit above everything in shared/: only handlers, the CLI and other use cases import them', () => {
    for (const dir of [
      'shared/domain',
      'shared/store',
      'shared/sources',
      'shared/mail',
      'shared/config',
      'shared/local',
    ])
      expect(importsFrom(dir, (t) => under(t, 'shared/usecases'))).toEqual([]);
  });

  it('use cases take ports: only edge.ts, where the stores are built and checked against the ports, names a store class', () => {
    const named = (text: string) =>
      [...text.matchAll(/\bimport\s+(?:type\s+)?\{([^}]*)\}\s+from\s+['"][^'"]*\/store\/[^'"]+['"]/g)].flatMap((m) =>
        [...m[1]!.matchAll(/\bDynamo\w*Store\b/g)].map((n) => n[0]),
      );
    const offenders = sourceFiles(join(root, 'shared/usecases'))
      .filter((f) => !f.endsWith(`${sep}edge.ts`))
      .flatMap((f) => named(readFileSync(f, 'utf8')).map((n) => `${relative(root, f)} imports ${n}`));
    expect(offenders).toEqual([]);
    // The scan finds a store class among other names, type-only or not, over several lines.
    expect(
      named(`import {\n  reportRunKey,\n  type DynamoReportRunStore,\n} from '../store/report-run-store.js';`),
    ).toEqual(['DynamoReportRunStore']);
    expect(named(`import type { DynamoSnapshotStore } from "../store/snapshot-store.js";`)).toEqual([
      'DynamoSnapshotStore',
    ]);
    expect(named(`import type { SnapshotReader } from './ports.js';`)).toEqual([]);
  });

  it('each rule above can fail: a store file importing the engine, or an adapter importing the store, is named', () => {
    const store = join(root, 'shared/store/x.ts');
    const adapter = join(root, 'shared/sources/adapters/x.ts');
    const engineOrUp = (t: string) => ENGINE.includes(t) || under(t, 'shared/usecases');
    expect(
      offendersIn(
        [
          [
            store,
            `import { summarize } from '../domain/summary.js';\nimport type { Period } from '../domain/periods.js';`,
          ],
          [store, `export { runReport } from "../usecases/run-report.js";`],
        ],
        engineOrUp,
      ),
    ).toEqual([
      'shared/store/x.ts imports ../domain/summary.js',
      'shared/store/x.ts imports ../usecases/run-report.js',
    ]);
    expect(
      offendersIn([[adapter, `const k = await import('../../store/keys.js');`]], (t) => under(t, 'shared/store')),
    ).toEqual(['shared/sources/adapters/x.ts imports ../../store/keys.js']);
  });
});
