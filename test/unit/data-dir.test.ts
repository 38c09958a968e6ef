import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataDirDamagedError,
  DataDirError,
  MANIFEST_FILE,
  openDataDir,
  type StoreProbe,
} from '../../shared/local/data-dir.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Start a process and wait for its first line on stdout. */
async function running(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  return child;
}

/** A table stand-in for the check at open: one marker number. */
const probe = (marker: { generation?: number }, table = true): StoreProbe => ({
  tableExists: async () => table,
  readMarker: async () => marker.generation,
  writeMarker: async (g) => void (marker.generation = g),
});

describe('local data directory: the lock', () => {
  it('is held by a live socpulse: a second open names its pid; once it is gone the lock is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    // Another process that took the directory through openDataDir, as `socpulse start` does.
    const holder = await running([
      '--import',
      'tsx',
      '-e',
      `import('./shared/local/data-dir.ts').then((m) => { m.openDataDir(${JSON.stringify(dir)}); console.log('held'); setInterval(() => {}, 1000); })`,
    ]);
    expect(() => openDataDir(dir)).toThrow(DataDirError);
    expect(() => openDataDir(dir)).toThrow(`is in use by another socpulse (pid ${holder.pid})`);
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    const held = openDataDir(dir);
    expect(held.tookOver).toBeUndefined(); // a dead pid: nothing to say
    held.release();
    expect(existsSync(join(dir, 'socpulse.lock'))).toBe(false);
  }, 30_000);

  it('does not count a live process that is not the socpulse that wrote the lock (pid 1 after a restart)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const other = await running(['-e', 'console.log("up"); setInterval(() => {}, 1000)']);
    // An earlier socpulse's bare pid, now a live process that is not socpulse.
    writeFileSync(join(dir, 'socpulse.lock'), String(other.pid));
    const a = openDataDir(dir);
    expect(a.tookOver).toMatch(new RegExp(`^a lock naming pid ${other.pid}, which is now another process \\(`));
    a.release();
    // Today's lock naming the live process, but written by another one (a reused pid): start time and command differ.
    writeFileSync(
      join(dir, 'socpulse.lock'),
      JSON.stringify({ pid: other.pid, startTime: '1', cmdline: 'node functions/cli/bin.js start' }),
    );
    const b = openDataDir(dir);
    expect(b.tookOver).toMatch(`pid ${other.pid}`);
    b.release();
    // pid 1 (a container's init after a restart) in a bare lock.
    writeFileSync(join(dir, 'socpulse.lock'), '1');
    const c = openDataDir(dir);
    c.release();
    expect(existsSync(join(dir, 'socpulse.lock'))).toBe(false);
  }, 30_000);
});

describe('local data directory: trusting the table', () => {
  /** A directory whose table socpulse closed: dynalite's files (stand-ins) recorded in the manifest. */
  async function closedDir() {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    const data = openDataDir(dir);
    expect(data.previous).toEqual({ kind: 'new' });
    mkdirSync(data.dynamoPath);
    writeFileSync(join(data.dynamoPath, 'CURRENT'), 'MANIFEST-000002\n');
    writeFileSync(join(data.dynamoPath, 'MANIFEST-000002'), 'x'.repeat(50));
    writeFileSync(join(data.dynamoPath, '000003.log'), 'y'.repeat(1000));
    writeFileSync(join(data.dynamoPath, 'LOG'), 'leveldb info log');
    const marker = { generation: undefined as number | undefined };
    await data.check(probe(marker));
    await data.checkpoint(probe(marker));
    data.close();
    data.release();
    return { dir, marker };
  }

  it('reopens a table unchanged since it closed, and raises the generation in the table and the manifest', async () => {
    const { dir, marker } = await closedDir();
    expect(marker.generation).toBe(2);
    const manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    expect(manifest).toMatchObject({ generation: 2, state: 'closed' });
    expect(Object.keys(manifest.files as object)).toEqual(['000003.log', 'CURRENT', 'MANIFEST-000002']);
    // leveldb rewrites its info LOG at every open: not data, not checked.
    writeFileSync(join(dir, 'dynamo', 'LOG'), 'another open');
    const again = openDataDir(dir);
    expect(again.previous).toEqual({ kind: 'closed', generation: 2 });
    expect(again.reused).toBe(true);
    await again.check(probe(marker));
    expect(marker.generation).toBe(3);
    again.release();
  });

  it('refuses a truncated write log, a garbage CURRENT, a deleted MANIFEST, naming the file and what to do', async () => {
    const cases: [string, (d: string) => void, RegExp][] = [
      ['log', (d) => truncateSync(join(d, '000003.log'), 500), /dynamo\/000003\.log is 500 bytes, 1000 when socpulse/],
      [
        'current',
        (d) => writeFileSync(join(d, 'CURRENT'), 'MANIFEST-00000X\n'),
        /dynamo\/CURRENT changed since socpulse/,
      ],
      ['manifest', (d) => unlinkSync(join(d, 'MANIFEST-000002')), /dynamo\/MANIFEST-000002 is missing/],
    ];
    for (const [, damage, why] of cases) {
      const { dir } = await closedDir();
      damage(join(dir, 'dynamo'));
      const open = () => openDataDir(dir);
      expect(open).toThrow(DataDirDamagedError);
      expect(open).toThrow(why);
      expect(open).toThrow(`data directory ${dir} cannot be trusted: `);
      expect(open).toThrow(
        /Nothing was read or sent\. Restore the directory from a backup, or start over with --fresh/,
      );
      // The refusal let go of the lock: --fresh may follow at once.
      expect(existsSync(join(dir, 'socpulse.lock'))).toBe(false);
    }
  });

  it('checks the marker after an unclosed stop: one ahead is a crash between two writes, behind is lost writes', async () => {
    const { dir, marker } = await closedDir();
    const a = openDataDir(dir);
    await a.check(probe(marker)); // generation 3, manifest "open"; then the process dies (no close)
    a.release();
    const b = openDataDir(dir);
    expect(b.previous).toMatchObject({ kind: 'unclosed', generation: 3, pid: process.pid });
    await expect(b.check(probe({ generation: 4 }))).resolves.toBeUndefined();
    b.release();
    const c = openDataDir(dir);
    await expect(c.check(probe({ generation: 2 }))).rejects.toThrow(
      /the table's own marker says generation 2, socpulse-store\.json says 5: writes were lost/,
    );
    await expect(c.check(probe({}, false))).rejects.toThrow(/dynamo\/ opens but holds no socpulse table/);
    c.release();
  });

  it('keeps a table from before manifests were kept if the table is there, and --fresh removes only its own files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    mkdirSync(join(dir, 'dynamo'));
    writeFileSync(join(dir, 'dynamo', 'CURRENT'), 'MANIFEST-000001\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const kept = openDataDir(dir);
    expect(kept.previous).toEqual({ kind: 'unrecorded' });
    expect(kept.tableExpected).toBe(true);
    await expect(kept.check(probe({}, false))).rejects.toThrow(DataDirDamagedError);
    await kept.check(probe({}));
    kept.close();
    kept.release();
    const fresh = openDataDir(dir, { fresh: true });
    expect(fresh.previous).toEqual({ kind: 'new' });
    expect(existsSync(join(dir, 'dynamo'))).toBe(false);
    expect(existsSync(join(dir, MANIFEST_FILE))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    fresh.release();
  });
});
