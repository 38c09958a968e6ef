import { afterAll, vi } from 'vitest';

/**
 * Setup for the projects whose files share a worker (isolate: false): what a file changes globally is undone when it
 * ends, so the next file in the worker starts as it would in a fresh one. The environment (startLocalStack points
 * process.env at its stand-ins) is put back as it was, and a file's vi.setConfig is reset. (The SES stand-in keeps one
 * mail store per process, whatever its port: startLocalSes empties it, so a file counts only the emails it sent.)
 */
const env = { ...process.env };
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  vi.resetConfig();
  vi.restoreAllMocks();
});
