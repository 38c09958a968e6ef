// `npm run bench [name]`: runs every test/bench/*.bench.ts (or the one named) and prints its figures.
// Benchmarks are programs, not tests: each exports `run(): Promise<void>` and prints what it measured.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only || f.startsWith(only))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${only ?? '*'} in test/bench`);
  process.exit(2);
}
for (const f of files) {
  console.log(`\n=== ${f} ===`);
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { run: () => Promise<void> };
  await mod.run();
}
