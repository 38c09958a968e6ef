// Compile the CLI and everything it runs (functions/, shared/) to dist/, one .js per .ts, so `socpulse` starts on
// plain JavaScript: no TypeScript loader at run time. `npm install` runs it (`prepare`); so does the test setup.
// Files whose output did not change are not rewritten, so a running socpulse never sees a half-written module.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = join(root, 'dist');

const sources = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
/** Data the modules import (`with { type: 'json' }`, e.g. the shipped query mappings): copied beside their output. */
const jsonFiles = (dir) =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return jsonFiles(path);
    return name.endsWith('.json') ? [path] : [];
  });

/** Build dist/; returns how many files were written (0 when it was up to date). */
export async function buildCli() {
  const result = await build({
    entryPoints: ['functions', 'shared'].flatMap((d) => sources(join(root, d))),
    outdir: DIST,
    outbase: root,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    write: false,
    logLevel: 'warning',
  });
  const copies = ['functions', 'shared']
    .flatMap((d) => jsonFiles(join(root, d)))
    .map((path) => ({ path: join(DIST, relative(root, path)), contents: readFileSync(path) }));
  let written = 0;
  for (const file of [...result.outputFiles, ...copies]) {
    let same = false;
    try {
      same = readFileSync(file.path).equals(file.contents);
    } catch {
      // not there yet
    }
    if (same) continue;
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.contents);
    written++;
  }
  return written;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const t0 = Date.now();
  const written = await buildCli();
  process.stderr.write(
    `socpulse: built ${relative(process.cwd(), DIST) || DIST}/ (${written} file(s) written) in ${Date.now() - t0} ms\n`,
  );
}
