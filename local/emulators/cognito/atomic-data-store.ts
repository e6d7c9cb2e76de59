/**
 * cognito-local's StormDB JSON files, written safely: its engine starts a new `fs.writeFile` on
 * every change, so two requests at once can interleave their bytes and leave a file that no longer
 * parses (the pool would be lost on the next start). Here each file's writes are queued and each is
 * a write to a temporary file renamed over the old one. The file format is unchanged. Pool files
 * also always get their `Groups` map.
 */
import { rename, writeFile } from 'node:fs/promises';
import type { Context } from 'cognito-local/lib/services/context.js';
import type { DataStore } from 'cognito-local/lib/services/dataStore/dataStore.js';
import type { DataStoreFactory } from 'cognito-local/lib/services/dataStore/factory.js';
import { StormDBDataStoreFactory } from 'cognito-local/lib/services/dataStore/stormDb.js';

/** The parts of stormdb's LocalFileEngine used here (cognito-local 5.3 keeps it at `store.db.engine`). */
type FileEngine = { path: string; serialize(data: unknown): string; write(data: unknown): Promise<void> | null };

export class AtomicDataStoreFactory implements DataStoreFactory {
  private readonly inner: StormDBDataStoreFactory;
  private readonly pending = new Set<Promise<void>>();

  constructor(directory: string) {
    this.inner = new StormDBDataStoreFactory(directory);
  }

  async create(ctx: Context, id: string, defaults: object): Promise<DataStore> {
    const store = await this.inner.create(ctx, id, defaults);
    const engine = (store as unknown as { db?: { engine?: FileEngine } }).db?.engine;
    if (!engine || typeof engine.serialize !== 'function' || typeof engine.path !== 'string') {
      throw new Error('cognito-local data store layout changed: expected store.db.engine (cognito-local 5.3)');
    }
    let queue: Promise<void> = Promise.resolve();
    engine.write = (data) => {
      // Serialize now: the state object keeps changing while earlier writes wait.
      const text = engine.serialize(data);
      const write = queue.then(async () => {
        const temporary = `${engine.path}.${process.pid}.tmp`;
        await writeFile(temporary, text);
        await rename(temporary, engine.path);
      });
      queue = write.catch(() => undefined);
      this.pending.add(write);
      void write.finally(() => this.pending.delete(write)).catch(() => undefined);
      return write;
    };
    // cognito-local looks groups up at ["Groups", name], which throws in a pool that has none yet.
    if ('Users' in defaults && (await store.get(ctx, 'Groups')) === null) await store.set(ctx, 'Groups', {});
    return store;
  }

  /** Resolves when every write started so far has reached the disk. */
  async flushed(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
