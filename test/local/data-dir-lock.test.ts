/**
 * One local backend per data folder: the lock is taken atomically, a stale one is replaced, and
 * `--reset` never wipes a folder another instance is using.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DataDirInUseError, DataDirLock } from '../../local/data-dir-lock.js';
import { startLocal, type LocalBackend } from '../../local/start-local.js';

let dataDir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-lock-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  await rm(dataDir, { recursive: true, force: true });
});

/** A live process that is not this one, to stand for another local backend. */
function otherProcess(): ChildProcess {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function deadPid(): Promise<number> {
  const child = spawn('true', { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

describe('the data folder lock', () => {
  it('goes to exactly one of two instances acquiring it at the same moment', async () => {
    const results = await Promise.allSettled([DataDirLock.acquire(dataDir), DataDirLock.acquire(dataDir)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')).toMatchObject({ reason: expect.any(DataDirInUseError) });
    await (results.find((result) => result.status === 'fulfilled') as PromiseFulfilledResult<DataDirLock>).value.release();
  });

  it('is refused while another live process holds it, and free again once released', async () => {
    const other = otherProcess();
    await writeFile(path.join(dataDir, '.lock'), String(other.pid)); // the format of earlier versions
    await expect(DataDirLock.acquire(dataDir)).rejects.toThrow(`in use by another local backend (pid ${other.pid})`);

    await rm(path.join(dataDir, '.lock'));
    const lock = await DataDirLock.acquire(dataDir);
    await lock.release();
    await expect(DataDirLock.acquire(dataDir).then((again) => again.release())).resolves.toBeUndefined();
  });

  it('replaces a stale lock: a dead holder, or a dead process that had our pid', async () => {
    await writeFile(path.join(dataDir, '.lock'), JSON.stringify({ pid: await deadPid(), token: 'x' }));
    const first = await DataDirLock.acquire(dataDir);
    await first.release();
    await writeFile(path.join(dataDir, '.lock'), JSON.stringify({ pid: process.pid, token: 'an earlier process' }));
    const second = await DataDirLock.acquire(dataDir);
    await second.release();
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('clears everything in the folder but itself (--reset)', async () => {
    await mkdir(path.join(dataDir, 'dynamodb'));
    await writeFile(path.join(dataDir, 'dynamodb', 'shared-local-instance.db'), 'x');
    await writeFile(path.join(dataDir, 'outbox.json'), '{}');
    const lock = await DataDirLock.acquire(dataDir);
    await lock.clearFolder();
    expect(await readdir(dataDir)).toEqual(['.lock']);
    await lock.release();
  });
});

describe('startLocal({ reset: true })', () => {
  it('wipes nothing when another instance uses the folder', async () => {
    const other = otherProcess();
    await writeFile(path.join(dataDir, '.lock'), JSON.stringify({ pid: other.pid }));
    await writeFile(path.join(dataDir, 'outbox.json'), '{"emails":[],"push":[]}');
    const outcome = await startLocal({ port: 0, dataDir, reset: true }).catch((error: Error) => error);
    if (!(outcome instanceof Error)) await (outcome as LocalBackend).stop();
    expect(outcome).toBeInstanceOf(DataDirInUseError);
    expect(existsSync(path.join(dataDir, 'outbox.json'))).toBe(true);
  });
});
