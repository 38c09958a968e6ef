#!/usr/bin/env node
// The `socpulse` command runs the compiled CLI in dist/ (built by `npm install` through `prepare`, or
// `npm run build` after changing the sources): plain JavaScript, no TypeScript loader at run time.
import { existsSync } from 'node:fs';

const entry = new URL('../../dist/functions/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('socpulse: the CLI is not built yet: run `npm run build` (npm install runs it)\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
