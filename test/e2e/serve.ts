import { spawn } from 'node:child_process';

/** A running `socpulse start --serve`, as a user starts it, with what it printed until it served. */
export interface Serving {
  stdout: string;
  /** The API's base URL and the SES stand-in's, as printed. */
  api: string;
  ses: string;
  /** Ctrl-C, and its exit code. */
  stop(): Promise<number | null>;
}

/** Run `socpulse start --serve --port 0` with extra arguments (`--out`, `--data`, `--days`) and wait until it serves. */
export async function startServing(args: string[]): Promise<Serving> {
  const child = spawn('node', ['functions/cli/bin.js', 'start', '--serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('serving until Ctrl-C')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`socpulse start exited ${code} before serving:\n${stdout}\n${stderr}`)),
    );
  });
  return {
    stdout,
    api: /API: (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!,
    ses: /SES stand-in (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!,
    stop: () =>
      new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGINT');
      }),
  };
}
