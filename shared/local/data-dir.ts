import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `socpulse start` keeps its data unless `--data DIR` says otherwise (git-ignored: `.socpulse/`). */
export const DEFAULT_DATA_DIR = join('.socpulse', 'data');

/** The data directory is held by another running socpulse, or cannot be used: names the directory. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** A local data directory held by this process. */
export interface DataDir {
  dir: string;
  /** dynalite's leveldb folder (the whole table). */
  dynamoPath: string;
  /** True when the table held data from an earlier run (it is kept, not started over). */
  reused: boolean;
  release(): void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Take a local data directory: one process at a time (a pid lock file — a second dynalite on the same leveldb folder
 * dies with "Database is closed" instead of saying why), a stale lock of a dead process is taken over, and `fresh`
 * removes the stored table (only the `dynamo/` folder socpulse made, nothing else in the directory).
 */
export function openDataDir(dir: string, options: { fresh?: boolean } = {}): DataDir {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new DataDirError(`data directory ${root}: ${(e as Error).message}`);
  }
  const lock = join(root, 'socpulse.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(root, lock, e);
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder))
        throw new DataDirError(
          `data directory ${root} is in use by another socpulse (pid ${holder}); stop it or pass --data DIR`,
        );
      unlinkSync(lock); // left by a process that is gone
    }
  }
  const dynamoPath = join(root, 'dynamo');
  if (options.fresh) rmSync(dynamoPath, { recursive: true, force: true });
  return {
    dir: root,
    dynamoPath,
    reused: existsSync(join(dynamoPath, 'CURRENT')),
    release: () => {
      try {
        if (readFileSync(lock, 'utf8').trim() === String(process.pid)) unlinkSync(lock);
      } catch {
        // already gone
      }
    },
  };
}

function lockError(root: string, lock: string, e: unknown) {
  return new DataDirError(`data directory ${root}: cannot take ${lock} (${(e as Error).message})`);
}
