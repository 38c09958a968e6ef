import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `socpulse start` keeps its data unless `--data DIR` says otherwise (git-ignored: `.socpulse/`). */
export const DEFAULT_DATA_DIR = join('.socpulse', 'data');

/** The manifest socpulse keeps beside dynalite's files: what it last wrote, to check the table against at open. */
export const MANIFEST_FILE = 'socpulse-store.json';

/** The data directory is held by another running socpulse, or cannot be used: names the directory. */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

/** The stored table cannot be trusted (files changed since socpulse closed it, lost writes, a table leveldb cannot open). */
export class DataDirDamagedError extends DataDirError {
  override name = 'DataDirDamagedError';
  constructor(root: string, what: string) {
    super(
      `data directory ${root} cannot be trusted: ${what}. Nothing was read or sent. Restore the directory from a ` +
        'backup, or start over with --fresh (it forgets every run, so reports already delivered are sent again)',
    );
  }
}

/** What socpulse writes beside the table (MANIFEST_FILE). */
interface Manifest {
  format: 1;
  /** Raised at every open and checkpoint; the table keeps the same number in its marker item. */
  generation: number;
  /** `open` while a socpulse uses the table; `closed` once it stopped dynalite and recorded every file. */
  state: 'open' | 'closed';
  pid: number;
  updatedAt: string;
  /** dynalite's (leveldb's) files when closed: name → size and SHA-256. */
  files?: Record<string, { size: number; sha256: string }>;
}

/** How the table was left by the socpulse before this one. */
export type Previous =
  | { kind: 'new' }
  | { kind: 'closed'; generation: number }
  | { kind: 'unclosed'; generation: number; pid: number }
  /** A table from a socpulse that kept no manifest: checked for a table only. */
  | { kind: 'unrecorded' };

/** The table as seen through the running stand-in: what the check at open reads and writes. */
export interface StoreProbe {
  tableExists(): Promise<boolean>;
  readMarker(): Promise<number | undefined>;
  writeMarker(generation: number): Promise<void>;
}

/** A local data directory held by this process. */
export interface DataDir {
  dir: string;
  /** dynalite's leveldb folder (the whole table). */
  dynamoPath: string;
  /** True when the table held data from an earlier run (it is kept, not started over). */
  reused: boolean;
  previous: Previous;
  /** A lock this process took over from a process that was not the socpulse that wrote it, in words. */
  tookOver?: string;
  /** Whether the table must already exist (socpulse recorded it): then it is never created anew. */
  tableExpected: boolean;
  /**
   * After dynalite opened the folder: the table exists when recorded, and its marker item holds the manifest's
   * generation (or the next, written just before a crash); then both move to a new generation.
   */
  check(probe: StoreProbe): Promise<void>;
  /** Raise the generation in the table, then in the manifest: what a crash after this may lose is written after it. */
  checkpoint(probe: StoreProbe): Promise<void>;
  /** After dynalite stopped: record every file of the table, so the next open finds any change to them. */
  close(): void;
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

/** A process as /proc shows it (Linux): its start time (clock ticks since boot) and command line; undefined elsewhere. */
function procIdentity(pid: number): { startTime: string; cmdline: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the command name's closing parenthesis (the name may hold spaces).
    const startTime = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { startTime, cmdline };
  } catch {
    return undefined;
  }
}

/** What a lock file holds: this process, recognisable again by its start time and command line. */
const lockContent = () => JSON.stringify({ pid: process.pid, ...procIdentity(process.pid) });

/**
 * Whether the lock's writer is still running: its pid is alive and, where /proc exists, it is the same process
 * (start time and command line as recorded). A bare pid (earlier socpulse) counts only for a live socpulse command.
 * Returns the reason a live pid does not count, for the takeover line.
 */
function holder(text: string): { held: true; pid: number } | { held: false; why?: string } {
  let lock: { pid?: unknown; startTime?: unknown; cmdline?: unknown };
  try {
    lock = /^\d+$/.test(text.trim()) ? { pid: Number(text.trim()) } : (JSON.parse(text) as typeof lock);
  } catch {
    return { held: false, why: 'an unreadable lock file' };
  }
  const pid = Number(lock.pid);
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !alive(pid)) return { held: false };
  const now = procIdentity(pid);
  if (!now) return { held: true, pid }; // no /proc (macOS): a live pid is all there is to go by
  const same =
    lock.startTime === undefined
      ? /socpulse|functions\/cli\/bin\.js/.test(now.cmdline)
      : lock.startTime === now.startTime && lock.cmdline === now.cmdline;
  return same
    ? { held: true, pid }
    : { held: false, why: `a lock naming pid ${pid}, which is now another process (${now.cmdline.slice(0, 60)})` };
}

/** dynalite's data files, the ones the manifest records (leveldb's LOCK and info LOG carry no data). */
const dataFiles = (path: string) =>
  existsSync(path)
    ? readdirSync(path)
        .filter((f) => !/^(LOCK|LOG|LOG\.old)$/.test(f))
        .sort()
    : [];

function fingerprint(path: string): NonNullable<Manifest['files']> {
  return Object.fromEntries(
    dataFiles(path).map((f) => {
      const bytes = readFileSync(join(path, f));
      return [f, { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }];
    }),
  );
}

/** The first difference between the files recorded at close and the files there now, in words; undefined if none. */
function filesChanged(path: string, recorded: NonNullable<Manifest['files']>): string | undefined {
  const now = fingerprint(path);
  for (const [f, was] of Object.entries(recorded)) {
    const is = now[f];
    if (!is) return `dynamo/${f} is missing`;
    if (is.size !== was.size) return `dynamo/${f} is ${is.size} bytes, ${was.size} when socpulse closed it`;
    if (is.sha256 !== was.sha256) return `dynamo/${f} changed since socpulse closed it`;
  }
  const extra = Object.keys(now).find((f) => !recorded[f]);
  return extra ? `dynamo/${extra} appeared after socpulse closed the table` : undefined;
}

/**
 * Take a local data directory: one process at a time (a lock naming this process — a second dynalite on the same
 * leveldb folder dies with "Database is closed" instead of saying why; a lock whose process is gone, or is another
 * program now, is taken over), `fresh` removes the stored table (only the `dynamo/` folder and the manifest socpulse
 * made), and a table socpulse closed is checked file by file against its manifest before anything opens it.
 */
export function openDataDir(dir: string, options: { fresh?: boolean } = {}): DataDir {
  const root = resolve(dir);
  try {
    mkdirSync(root, { recursive: true });
  } catch (e) {
    throw new DataDirError(`data directory ${root}: ${(e as Error).message}`);
  }
  const lock = join(root, 'socpulse.lock');
  let tookOver: string | undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, lockContent(), { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw lockError(root, lock, e);
      const h = holder(readFileSync(lock, 'utf8'));
      if (h.held)
        throw new DataDirError(
          `data directory ${root} is in use by another socpulse (pid ${h.pid}); stop it or pass --data DIR`,
        );
      tookOver = h.why;
      unlinkSync(lock); // left by a process that is gone
    }
  }
  const release = () => {
    try {
      if (readFileSync(lock, 'utf8') === lockContent()) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
  try {
    return takeTable(root, options, release, tookOver);
  } catch (e) {
    release();
    throw e;
  }
}

function takeTable(root: string, options: { fresh?: boolean }, release: () => void, tookOver?: string): DataDir {
  const dynamoPath = join(root, 'dynamo');
  const manifestPath = join(root, MANIFEST_FILE);
  if (options.fresh) {
    rmSync(dynamoPath, { recursive: true, force: true });
    rmSync(manifestPath, { force: true });
  }
  const files = dataFiles(dynamoPath);
  let manifest: Manifest | undefined;
  if (existsSync(manifestPath)) {
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
      if (manifest.format !== 1 || !Number.isInteger(manifest.generation)) throw new Error('unknown format');
    } catch (e) {
      throw new DataDirDamagedError(root, `${MANIFEST_FILE} is unreadable (${(e as Error).message})`);
    }
  }
  let previous: Previous;
  if (!manifest) previous = files.length ? { kind: 'unrecorded' } : { kind: 'new' };
  else if (!files.length) throw new DataDirDamagedError(root, `the table folder dynamo/ is gone or empty`);
  else if (manifest.state === 'closed') {
    const changed = filesChanged(dynamoPath, manifest.files ?? {});
    if (changed) throw new DataDirDamagedError(root, changed);
    previous = { kind: 'closed', generation: manifest.generation };
  } else previous = { kind: 'unclosed', generation: manifest.generation, pid: manifest.pid };

  let generation = manifest?.generation ?? 0;
  const writeManifest = (m: Omit<Manifest, 'format' | 'pid' | 'updatedAt'>) => {
    // Written whole to a temporary file, then renamed over the old one: a crash leaves one or the other, never half.
    const tmp = `${manifestPath}.tmp`;
    writeFileSync(tmp, JSON.stringify({ format: 1, ...m, pid: process.pid, updatedAt: new Date().toISOString() }));
    renameSync(tmp, manifestPath);
  };
  const damaged = (what: string) => new DataDirDamagedError(root, what);
  return {
    dir: root,
    dynamoPath,
    reused: files.includes('CURRENT'),
    previous,
    tookOver,
    tableExpected: previous.kind !== 'new',
    check: async (probe) => {
      if (previous.kind !== 'new' && !(await probe.tableExists()))
        throw damaged(`dynamo/ opens but holds no socpulse table${manifest ? ' (socpulse wrote one)' : ''}`);
      if (manifest) {
        const marker = await probe.readMarker();
        // The marker is written before the manifest: one ahead is a crash between the two, anything else lost writes.
        if (marker !== generation && marker !== generation + 1)
          throw damaged(
            `the table's own marker says generation ${marker ?? 'none'}, ${MANIFEST_FILE} says ${generation}: writes were lost`,
          );
        generation = Math.max(generation, marker);
      }
      generation++;
      await probe.writeMarker(generation);
      writeManifest({ generation, state: 'open' });
    },
    checkpoint: async (probe) => {
      generation++;
      await probe.writeMarker(generation);
      writeManifest({ generation, state: 'open' });
    },
    close: () => writeManifest({ generation, state: 'closed', files: fingerprint(dynamoPath) }),
    release,
  };
}

function lockError(root: string, lock: string, e: unknown) {
  return new DataDirError(`data directory ${root}: cannot take ${lock} (${(e as Error).message})`);
}
