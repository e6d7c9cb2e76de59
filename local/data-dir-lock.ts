/**
 * One local backend per data folder: DynamoDB Local's database file and the emulators' JSON files
 * are not safe to share between two running instances.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class DataDirInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`${dataDir} is in use by another local backend (pid ${pid}): stop it, or pass another folder with --data-dir.`);
    this.name = 'DataDirInUseError';
  }
}

export class DataDirLock {
  private constructor(private readonly file: string) {}

  static async acquire(dataDir: string): Promise<DataDirLock> {
    const file = path.join(dataDir, '.lock');
    const holder = Number(await readFile(file, 'utf8').catch(() => '0'));
    if (holder && holder !== process.pid && isAlive(holder)) throw new DataDirInUseError(dataDir, holder);
    await writeFile(file, String(process.pid));
    return new DataDirLock(file);
  }

  async release(): Promise<void> {
    await rm(this.file, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
