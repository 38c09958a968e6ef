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
});
