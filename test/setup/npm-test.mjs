// `npm test`: the type check and the lint (one after the other) run beside `vitest run`, not before it. Each uses one
// core for tens of seconds; vitest alone leaves a core idle while its workers wait on stand-ins and child processes.
// The exit code is the first failure's (tsc, eslint, then vitest), 0 when all pass; arguments go to vitest.
import { spawn } from 'node:child_process';

/** Run a command (from node_modules/.bin, on npm's PATH) with the terminal's output; resolves with its exit code. */
const run = (command, args) =>
  new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
    child.on('error', (e) => {
      console.error(`${command}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 1));
  });

const checks = (async () => {
  const types = await run('tsc', ['--noEmit']);
  return [types, types === 0 ? await run('eslint', ['.']) : 0];
})();
const tests = await run('vitest', ['run', ...process.argv.slice(2)]);
const [types, lint] = await checks;
process.exitCode = [types, lint, tests].find((code) => code !== 0) ?? 0;
