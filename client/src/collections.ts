/** `client.collection(name)` and `client.batch`: the document database (docs/api/documents.md, docs/api/geolocation.md). */
import type { Page, PageOptions } from './api-types.js';
import type { Core } from './core.js';
import type { CallOptions } from './http.js';
import { eachItem } from './pages.js';
import type { SubscribeOptions, Unsubscribe } from './realtime.js';
import type {
  BatchOperation,
  BatchResult,
  ChangeEvent,
  CollectionName,
  CollectionTypes,
  Equals,
  Exactly,
  Found,
  RegisteredSchema,
  Schema,
  SortField,
  Where,
} from './schema.js';

/** A write's precondition: the version the caller last read (`If-Match`); another one → `PreconditionFailed`. */
export type WriteOptions = CallOptions & { ifVersion?: number };

export type QueryOptions<D, W> = PageOptions &
  CallOptions & {
    /** Field → value (equality), `{ lt | lte | gt | gte | between | beginsWith }`, or `near` / `within` on a point field. */
    where?: Exactly<W, Where<D>>;
    orderBy?: SortField<D>;
    /** @default 'desc' (newest first) */
    order?: 'asc' | 'desc';
  };

export type CollectionService<T extends CollectionTypes> = ReturnType<typeof collectionService<T>>;

/**
 * One collection of a hand-composed client (`client.collection(name)` on a full one).
 *
 * @example
 * const notes = createCollection<LambaseSchema, 'notes'>(core, 'notes');
 */
export function createCollection<S extends Schema = RegisteredSchema, N extends CollectionName<S> = CollectionName<S>>(core: Core, name: N) {
  return collectionService<S['collections'][N]>(core, name);
}

function collectionService<T extends CollectionTypes>(core: Core, name: string) {
  type D = T['document'];
  const { http } = core;
  const base = `/data/${encodeURIComponent(name)}`;
  const at = (id: string) => `${base}/${encodeURIComponent(id)}`;
  const ifMatch = (options?: WriteOptions) => (options?.ifVersion === undefined ? undefined : { 'if-match': `"${options.ifVersion}"` });

  const list = (options: PageOptions & CallOptions = {}) =>
    http.request<Page<D>>({ method: 'GET', path: base, query: { limit: options.limit, cursor: options.cursor }, signal: options.signal });

  function query<W extends Where<D> = {}>(options: QueryOptions<D, W> = {}) {
    const { signal, ...body } = options;
    // A query only reads: safe to repeat.
    return http.request<Page<Found<D, W>>>({ method: 'POST', path: `${base}/query`, body, idempotent: true, signal });
  }

  return {
    name,

    /**
     * Creates a document; retried safely (one `Idempotency-Key` per call).
     *
     * @example
     * const note = await client.collection('notes').create({ title: 'Hello', tags: ['intro'] });
     */
    create: (data: T['create'], options?: CallOptions) => http.request<D>({ method: 'POST', path: base, body: data, create: true, ...options }),

    /**
     * Reads a document (`NotFound` also when the caller may not read it).
     *
     * @example
     * const note = await client.collection('notes').get(id);
     */
    get: (id: string, options?: CallOptions) => http.request<D>({ method: 'GET', path: at(id), ...options }),

    /**
     * One page of the documents the caller may read, newest first.
     *
     * @example
     * const { items, nextCursor } = await client.collection('notes').list({ limit: 50 });
     */
    list,

    /**
     * One page of a query served by an index, by the caller's own documents, or by a geo index.
     * With `near`, the items are nearest first and carry `distanceMeters`.
     *
     * @example
     * const posts = await client.collection('posts').query({ where: { category: 'news' }, limit: 10 });
     * const cafes = await client.collection('places').query({
     *   where: { category: 'cafe', location: { near: { lat: 48.85, lng: 2.35, radiusMeters: 500 } } },
     * });
     * cafes.items[0]?.distanceMeters;
     */
    query,

    /**
     * Every document of a list (no `where`/`orderBy`) or of a query, page after page.
     *
     * @example
     * for await (const note of client.collection('notes').iterate({ where: { pinned: true } })) show(note);
     */
    iterate<W extends Where<D> = {}>(options: QueryOptions<D, W> = {}): AsyncGenerator<Found<D, W>, void, undefined> {
      const isQuery = options.where !== undefined || options.orderBy !== undefined || options.order !== undefined;
      return eachItem<Found<D, W>, QueryOptions<D, W>>(isQuery ? query<W> : (list as (o: PageOptions) => Promise<Page<Found<D, W>>>), options);
    },

    /**
     * Changes some fields (`null` removes an optional field).
     *
     * @example
     * await client.collection('notes').update(note.id, { pinned: true }, { ifVersion: note.version });
     */
    update: (id: string, data: T['update'], options?: WriteOptions) =>
      http.request<D>({ method: 'PATCH', path: at(id), body: data, headers: ifMatch(options), signal: options?.signal }),

    /**
     * Replaces the whole document (fields left out are gone).
     *
     * @example
     * await client.collection('notes').replace(note.id, { title: 'Only a title now' }, { ifVersion: 2 });
     */
    replace: (id: string, data: T['create'], options?: WriteOptions) =>
      // Repeating a replace that carries If-Match could meet its own success as a 412: only an
      // unconditional replace is retried.
      http.request<D>({ method: 'PUT', path: at(id), body: data, headers: ifMatch(options), idempotent: options?.ifVersion === undefined, signal: options?.signal }),

    /**
     * Deletes a document.
     *
     * @example
     * await client.collection('notes').delete(note.id, { ifVersion: note.version });
     */
    delete: (id: string, options?: WriteOptions) =>
      http.request<void>({ method: 'DELETE', path: at(id), headers: ifMatch(options), signal: options?.signal }),

    /**
     * Live changes to the documents matching `where` (equalities; `docId` narrows to one document)
     * that the caller may read. Resolves once subscribed, with the function that stops it.
     *
     * @example
     * const stop = await client.collection('notes').subscribe({ pinned: true }, ({ event, document }) => {
     *   if (event === 'deleted') remove(document.id); else upsert(document);
     * });
     */
    subscribe(
      where: Equals<D> | undefined,
      onChange: (change: ChangeEvent<D>) => void,
      options: SubscribeOptions & { docId?: string } = {},
    ): Promise<Unsubscribe> {
      if (!core.realtime) throw new TypeError('subscribe needs realtime: use createClient, or set core.realtime = createRealtime(…)');
      const { docId, ...rest } = options;
      return core.realtime.subscribe(
        { collection: name, where: where as Record<string, string>, docId },
        (frame) => onChange({ event: frame.event, document: frame.document, truncated: frame.truncated } as ChangeEvent<D>),
        rest,
      );
    },
  };
}

/**
 * Up to 25 creates, updates and deletes across collections, all or nothing
 * (`TransactionCanceled` with `details: [{ index, code, message }]` otherwise).
 *
 * @example
 * const results = await client.batch([
 *   { op: 'create', collection: 'notes', data: { title: 'A' } },
 *   { op: 'delete', collection: 'notes', id: old.id, ifVersion: old.version },
 * ]);
 */
export async function batch<S extends Schema = RegisteredSchema>(core: Core, operations: BatchOperation<S>[], options?: CallOptions): Promise<BatchResult<S>[]> {
  const answer = await core.http.request<{ results: BatchResult<S>[] }>({
    method: 'POST',
    path: '/data/_batch',
    body: { operations },
    auth: 'required',
    create: true,
    ...options,
  });
  return answer.results;
}
