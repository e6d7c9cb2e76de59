/**
 * One local backend per data folder: DynamoDB Local's database file and the emulators' JSON files
 * are not safe to share between two running instances.
 *
 * The lock file is created atomically (`wx`), so of two instances starting at once exactly one
 * wins. It names its holder by pid and a per-process token: a lock whose holder is dead — or whose
 * pid is ours but from an earlier process (pid reuse, common in containers) — is stale and replaced.
 */
import { randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

const LOCK_FILE = '.lock';
/** Tells this process's locks from a dead process's that had the same pid. */
const PROCESS_TOKEN = randomUUID();

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`${dataDir} is in use by another local backend (pid ${pid}): stop it, or pass another folder with --data-dir.`);
    this.name = 'DataDirInUseError';
  }
}

type Holder = { pid: number; token?: string };

export class DataDirLock {
  private constructor(
    private readonly file: string,
    private readonly content: string,
  ) {}

  /** Takes the lock of `dataDir` (created if missing), or throws DataDirInUseError. */
  static async acquire(dataDir: string): Promise<DataDirLock> {
    // Owner-only: the folder holds the key pair, plaintext passwords (the local Cognito's JSON) and everyone's data.
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, LOCK_FILE);
    const content = JSON.stringify({ pid: process.pid, token: PROCESS_TOKEN } satisfies Holder);
    // Two rounds: the second follows the removal of a stale lock.
    for (let round = 0; round < 2; round++) {
      try {
        await writeFile(file, content, { flag: 'wx' });
        return new DataDirLock(file, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const existing = await readFile(file, 'utf8').catch(() => undefined);
      if (existing === undefined) continue; // released meanwhile
      const holder = parseHolder(existing);
      if (holder && isHeld(holder)) throw new DataDirInUseError(dataDir, holder.pid);
      await removeStale(file, existing);
    }
    const holder = parseHolder(await readFile(file, 'utf8').catch(() => ''));
    throw new DataDirInUseError(dataDir, holder?.pid ?? 0);
  }

  /** Removes everything in the data folder but the lock (`--reset`); only the holder may. */
  async clearFolder(): Promise<void> {
    const dataDir = path.dirname(this.file);
    const entries = await readdir(dataDir);
    await Promise.all(entries.filter((entry) => entry !== LOCK_FILE).map((entry) => rm(path.join(dataDir, entry), { recursive: true, force: true })));
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    const current = await readFile(this.file, 'utf8').catch(() => undefined);
    if (current === this.content) await rm(this.file, { force: true });
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    // Plain pids were written by earlier versions.
    if (typeof parsed === 'number') return { pid: parsed };
    if (parsed && typeof parsed === 'object' && typeof (parsed as Holder).pid === 'number') return parsed as Holder;
  } catch {
    // a torn or foreign file: stale
  }
  return undefined;
}

function isHeld(holder: Holder): boolean {
  if (holder.pid === process.pid) return holder.token === PROCESS_TOKEN;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Moves the stale lock aside (rename is atomic: of two processes clearing it, one moves it) and
 * checks that what it moved is the stale lock it judged; if another process had meanwhile taken
 * the lock, that lock is put back (`link` fails rather than overwrite a newer one).
 */
async function removeStale(file: string, stale: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomUUID()}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else moved it
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => stale);
  if (moved !== stale) await link(aside, file).catch(() => undefined);
  await rm(aside, { force: true });
}
