import { execFile, type ExecFileOptions } from 'node:child_process';
import { promisify } from 'node:util';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run the socpulse CLI as a user does (`node functions/cli/bin.js`, the compiled CLI) and give its exit code and
 * output, also when it fails: the tests assert on what a user sees.
 */
export function runCli(args: string[], options: ExecFileOptions = {}): Promise<CliResult> {
  return promisify(execFile)('node', ['functions/cli/bin.js', ...args], {
    maxBuffer: 64 << 20,
    ...options,
    encoding: 'utf8',
  }).then(
    (r) => ({ code: 0, stdout: String(r.stdout), stderr: String(r.stderr) }),
    (e: CliResult) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}
