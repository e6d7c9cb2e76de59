/** `createClient`: every service on one object, in the manner of the PocketBase SDK and supabase-js. */
import { createAdmin, createMe } from './account.js';
import { createAuth } from './auth.js';
import { batch, createCollection, type CollectionService } from './collections.js';
import { createCore, realtimeUrlOf, type CoreOptions } from './core.js';
import { createFiles } from './files.js';
import type { CallOptions } from './http.js';
import { createNotifications, createPush } from './push.js';
import { createRealtime, type RealtimeOptions, type WebSocketConstructor } from './realtime.js';
import type { BatchOperation, BatchResult, CollectionName, RegisteredSchema, Schema } from './schema.js';

export type ClientOptions = CoreOptions & {
  /** The realtime endpoint. @default `outputs.realtimeUrl`, else the API URL's `/realtime` (local mode) */
  realtimeUrl?: string;
  /** @default the platform's `WebSocket` (browsers, Node ≥ 22); on Node 20 pass the `ws` package's. */
  WebSocket?: WebSocketConstructor;
  /** Keep-alive and reconnect timings. */
  realtime?: Omit<RealtimeOptions, 'url' | 'WebSocket'>;
};

export type LambaseClient<S extends Schema = RegisteredSchema> = ReturnType<typeof createClient<S>>;

/**
 * A client for one Lambase backend. Its document types come from `npm run types`.
 *
 * @example
 * import { createClient } from '@lambase/client';
 * import outputs from './lambase.outputs.json';
 *
 * const client = createClient({ outputs, storage: localStorage });
 * // or, against `npm start`: createClient({ url: 'http://127.0.0.1:4000' })
 * await client.auth.signIn({ email, password });
 * const note = await client.collection('notes').create({ title: 'Hello' });
 */
export function createClient<S extends Schema = RegisteredSchema>(options: ClientOptions) {
  const core = createCore(options);
  core.realtime = createRealtime(core.http, { ...options.realtime, WebSocket: options.WebSocket, url: realtimeUrlOf(options, core.url) });
  const collections = new Map<string, unknown>();
  return {
    /** The API's base URL. */
    url: core.url,
    auth: createAuth(core),
    /**
     * One collection's documents.
     *
     * @example
     * const pinned = await client.collection('notes').query({ where: { pinned: true } });
     */
    collection<N extends CollectionName<S>>(name: N): CollectionService<S['collections'][N]> {
      let service = collections.get(name) as CollectionService<S['collections'][N]> | undefined;
      if (!service) collections.set(name, (service = createCollection<S, N>(core, name)));
      return service;
    },
    /**
     * Up to 25 creates, updates and deletes across collections, all or nothing.
     *
     * @example
     * await client.batch([
     *   { op: 'create', collection: 'notes', data: { title: 'A' } },
     *   { op: 'update', collection: 'notes', id, data: { pinned: true }, ifVersion: 2 },
     * ]);
     */
    batch: (operations: BatchOperation<S>[], callOptions?: CallOptions): Promise<BatchResult<S>[]> => batch<S>(core, operations, callOptions),
    files: createFiles(core),
    push: createPush(core),
    notifications: createNotifications(core),
    me: createMe(core),
    admin: createAdmin(core),
    /** The shared WebSocket; `realtime.disconnect()` closes it and ends every subscription. */
    realtime: core.realtime,
  };
}
