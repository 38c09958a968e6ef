import { execFileSync } from 'node:child_process';

/**
 * Vitest global setup: the tests run `socpulse` as a user does (functions/cli/bin.js, the compiled CLI in dist/), so
 * dist/ is brought up to date with the sources first; an unchanged file is not rewritten.
 */
export default function setup(): void {
  execFileSync('node', ['functions/cli/build.mjs'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
