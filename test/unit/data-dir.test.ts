import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirError, openDataDir } from '../../shared/local/data-dir.js';

describe('local data directory', () => {
  it('is held by one process at a time, names the holder, and takes over the lock of a process that is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    // A live process holds it (our parent stands in for another socpulse).
    writeFileSync(join(dir, 'socpulse.lock'), String(process.ppid));
    expect(() => openDataDir(dir)).toThrow(DataDirError);
    expect(() => openDataDir(dir)).toThrow(`is in use by another socpulse (pid ${process.ppid})`);
    // A dead one left it behind: taken over, and released again.
    writeFileSync(join(dir, 'socpulse.lock'), '2147483646');
    const held = openDataDir(dir);
    expect(held.reused).toBe(false);
    held.release();
    expect(existsSync(join(dir, 'socpulse.lock'))).toBe(false);
  });

  it('keeps the stored table, and --fresh removes only its own folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'socpulse-data-'));
    mkdirSync(join(dir, 'dynamo'));
    writeFileSync(join(dir, 'dynamo', 'CURRENT'), 'MANIFEST-000001\n');
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const kept = openDataDir(dir);
    expect(kept.reused).toBe(true);
    kept.release();
    const fresh = openDataDir(dir, { fresh: true });
    expect(fresh.reused).toBe(false);
    expect(existsSync(join(dir, 'dynamo'))).toBe(false);
    expect(existsSync(join(dir, 'notes.txt'))).toBe(true);
    fresh.release();
  });
});
