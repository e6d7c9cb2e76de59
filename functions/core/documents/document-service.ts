/**
 * The document database's use cases: create, read, list, query, update, replace, delete and
 * all-or-nothing batches, with the collection's access rules checked on every document, strict
 * schemas, server-set fields and optimistic concurrency on `version`.
 */
import { decide, mayAccess, NOTHING_READABLE, type Action, type Caller } from '../config/access-rules.js';
import type { Backend, ResolvedCollection } from '../config/define-backend.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  UnauthorizedError,
} from '../errors.js';
import type { Clock } from '../clock.js';
import type { PageCursors } from '../pagination/cursor.js';
import { isExpired, toDocument, toItem, type Document, type DocumentItem } from './document-item.js';
import { assertClientFields, parseFields, schemasOf, type DocumentFields } from './document-schemas.js';
import type { DocumentStore, TransactionWrite, VersionCheck } from './document-store.js';
import { fenceCellChanges } from '../geo/fences.js';
import { geoPage, isGeoWhere, planGeoQuery } from '../geo/geo-query.js';
import { planQuery, type QueryInput } from './query-plan.js';

export type Page<T> = { items: T[]; nextCursor: string | null };
export type PageRequest = { limit: number; cursor?: string };
/** `If-Match`: a version, `*` (any existing version) or absent. */
export type Precondition = number | '*' | undefined;

/** DynamoDB's item limit is 400 KB; the rest is room for keys and metadata. */
export const MAX_DOCUMENT_BYTES = 350 * 1024;
/** Concurrent writers without If-Match are retried this many times before 409. */
const WRITE_ATTEMPTS = 6;

export type DocumentServiceDeps = {
  backend: Pick<Backend, 'collections' | 'auth'>;
  store: DocumentStore;
  /** Signed page cursors (their key is loaded on first use). */
  cursors: () => Promise<PageCursors>;
  clock: Clock;
  newId: () => string;
};

export class DocumentService {
  constructor(private readonly deps: DocumentServiceDeps) {}

  async create(caller: Caller | undefined, collectionName: string, body: unknown): Promise<Document> {
    const collection = this.authorizeAction(caller, collectionName, 'create');
    const item = this.newItem(collection, caller, body);
    const cells = fenceCellChanges(collection, undefined, item);
    const created = cells.puts.length
      ? (await this.deps.store.transact([{ kind: 'put', item }, ...related(cells)])).ok
      : await this.deps.store.create(item);
    if (!created) throw new ConflictError('A document with this id exists already; retry.');
    return toDocument(item);
  }

  async get(caller: Caller | undefined, collectionName: string, id: string): Promise<Document> {
    const collection = this.authorizeAction(caller, collectionName, 'read');
    return toDocument(await this.readable(caller, collection, id));
  }

  list(caller: Caller | undefined, collectionName: string, page: PageRequest): Promise<Page<Document>> {
    return this.query(caller, collectionName, {}, page);
  }

  async query(caller: Caller | undefined, collectionName: string, input: QueryInput, page: PageRequest): Promise<Page<Document>> {
    const collection = this.collection(collectionName);
    if (isGeoWhere(input.where)) return this.geoQuery(caller, collection, input, page);
    const plan = planQuery(collection, input, caller, this.adminGroup);
    if (plan === NOTHING_READABLE) return { items: [], nextCursor: null };
    const codec = await this.deps.cursors();
    const scope = { caller: caller?.userId ?? null, collection: collection.name, plan };
    const startKey = page.cursor === undefined ? undefined : codec.decode(page.cursor, scope);
    const result = await this.deps.store.query(plan, { limit: page.limit, startKey, now: this.deps.clock.now() });
    return {
      items: result.items.map(toDocument),
      nextCursor: result.lastKey ? codec.encode(result.lastKey, scope) : null,
    };
  }

  /** `near` / `within` (functions/core/geo/geo-query.ts): the covering cells read again on each page. */
  private async geoQuery(caller: Caller | undefined, collection: ResolvedCollection, input: QueryInput, page: PageRequest): Promise<Page<Document>> {
    const plan = planGeoQuery(collection, input, caller, this.adminGroup);
    if (plan === NOTHING_READABLE) return { items: [], nextCursor: null };
    const codec = await this.deps.cursors();
    const scope = { caller: caller?.userId ?? null, collection: collection.name, plan };
    const after = page.cursor === undefined ? undefined : codec.decode(page.cursor, scope);
    const items = await this.deps.store.readGeoCells(plan.slot, plan.cells);
    const result = geoPage(plan, items, { limit: page.limit, after, now: this.deps.clock.now() });
    return {
      items: result.matches.map(({ item, distanceMeters }) => ({ ...toDocument(item), ...(distanceMeters === undefined ? {} : { distanceMeters }) })),
      nextCursor: result.last ? codec.encode(result.last, scope) : null,
    };
  }

  update(caller: Caller | undefined, collectionName: string, id: string, patch: unknown, ifMatch: Precondition): Promise<Document> {
    const collection = this.authorizeAction(caller, collectionName, 'update');
    assertClientFields(patch);
    const changes = parseFields(schemasOf(collection).patch, patch);
    return this.rewrite(caller, collection, id, ifMatch, (current) => applyPatch(current, changes));
  }

  replace(caller: Caller | undefined, collectionName: string, id: string, body: unknown, ifMatch: Precondition): Promise<Document> {
    const collection = this.authorizeAction(caller, collectionName, 'update');
    assertClientFields(body);
    const fields = parseFields(schemasOf(collection).full, body);
    return this.rewrite(caller, collection, id, ifMatch, () => fields);
  }

  async remove(caller: Caller | undefined, collectionName: string, id: string, ifMatch: Precondition): Promise<void> {
    const collection = this.authorizeAction(caller, collectionName, 'delete');
    for (let attempt = 1; ; attempt++) {
      const current = await this.writable(caller, collection, id, 'delete', ifMatch);
      if ((await this.write(collection, current, undefined)) === 'ok') return;
      await this.onVersionMismatch(ifMatch, attempt);
    }
  }

  // --- shared by the single-document use cases and batches -------------------------------------

  get adminGroup(): string {
    return this.deps.backend.auth.adminGroup;
  }

  collection(name: string): ResolvedCollection {
    const collection = Object.hasOwn(this.deps.backend.collections, name) ? this.deps.backend.collections[name] : undefined;
    if (!collection) throw new NotFoundError(`There is no collection named "${name}".`);
    return collection;
  }

  /** 404 for an unknown collection; 401 for an anonymous caller where the rule is not public. */
  authorizeAction(caller: Caller | undefined, collectionName: string, action: Action): ResolvedCollection {
    const collection = this.collection(collectionName);
    if (!caller && !collection.access[action].includes('public')) throw new UnauthorizedError();
    return collection;
  }

  /** A new stored item for `body`, owned by the caller; throws when the body or rules refuse it. */
  newItem(collection: ResolvedCollection, caller: Caller | undefined, body: unknown, prefix?: string): DocumentItem {
    if (decide(collection.access.create, caller, this.adminGroup) === 'deny') {
      throw new ForbiddenError(`You may not create documents in ${collection.name}.`);
    }
    assertClientFields(body, prefix);
    const fields = parseFields(schemasOf(collection).full, body, prefix);
    const now = this.deps.clock.now().toISOString();
    const meta = { id: this.deps.newId(), owner: caller?.userId ?? 'anonymous', createdAt: now, updatedAt: now, version: 1 };
    return sized(toItem(collection, meta, fields));
  }

  /** The next stored state of `current` with `fields`, one version up. */
  nextItem(collection: ResolvedCollection, current: DocumentItem, fields: DocumentFields): DocumentItem {
    const meta = { id: current.id, owner: current.owner, createdAt: current.createdAt, updatedAt: this.deps.clock.now().toISOString(), version: current.version + 1 };
    return sized(toItem(collection, meta, fields));
  }

  /** The document if the caller may read it; 404 otherwise (also when missing or expired). */
  async readable(caller: Caller | undefined, collection: ResolvedCollection, id: string): Promise<DocumentItem> {
    const item = await this.deps.store.get(collection.name, id);
    if (!item || isExpired(item, this.deps.clock.now()) || !mayAccess(collection.access.read, caller, this.adminGroup, item.owner)) {
      throw new NotFoundError(`No ${collection.name} document with id "${id}".`);
    }
    return item;
  }

  /** The document if the caller may change it: 404 when unreadable, 403 when readable only, 412 on a stale If-Match. */
  async writable(caller: Caller | undefined, collection: ResolvedCollection, id: string, action: 'update' | 'delete', ifMatch: Precondition): Promise<DocumentItem> {
    const current = await this.readable(caller, collection, id);
    if (!mayAccess(collection.access[action], caller, this.adminGroup, current.owner)) {
      throw new ForbiddenError(`You may not ${action} this ${collection.name} document.`);
    }
    if (typeof ifMatch === 'number' && ifMatch !== current.version) {
      throw new PreconditionFailedError(`The document is at version ${current.version}, not ${ifMatch}.`);
    }
    return current;
  }

  private async rewrite(
    caller: Caller | undefined,
    collection: ResolvedCollection,
    id: string,
    ifMatch: Precondition,
    nextFields: (current: DocumentFields) => DocumentFields,
  ): Promise<Document> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.writable(caller, collection, id, 'update', ifMatch);
      const fields = parseFields(schemasOf(collection).full, nextFields(current.data));
      const next = this.nextItem(collection, current, fields);
      if ((await this.write(collection, current, next)) === 'ok') return toDocument(next);
      await this.onVersionMismatch(ifMatch, attempt);
    }
  }

  /**
   * Replaces (or deletes, without `next`) `current` if it is still at its version; a geofence's
   * cells change in the same transaction (functions/core/geo/fences.ts).
   */
  private async write(collection: ResolvedCollection, current: DocumentItem, next: DocumentItem | undefined): Promise<VersionCheck> {
    const cells = fenceCellChanges(collection, current, next);
    if (cells.puts.length === 0 && cells.deletes.length === 0) {
      return next ? this.deps.store.replace(next, current.version) : this.deps.store.remove(collection.name, current.id, current.version);
    }
    const own: TransactionWrite = next
      ? { kind: 'put', item: next, expectedVersion: current.version }
      : { kind: 'delete', collection: collection.name, id: current.id, expectedVersion: current.version };
    const outcome = await this.deps.store.transact([own, ...related(cells)]);
    return outcome.ok ? 'ok' : 'version-mismatch';
  }

  /** Another writer won: with If-Match that is the client's 412; without, retry after a jittered pause. */
  private async onVersionMismatch(ifMatch: Precondition, attempt: number): Promise<void> {
    if (typeof ifMatch === 'number') throw new PreconditionFailedError();
    if (attempt >= WRITE_ATTEMPTS) throw new ConflictError('The document is being changed by others; retry.');
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
}

/** PATCH semantics: listed fields replace, `null` removes an optional field, others stay. */
export function applyPatch(current: DocumentFields, changes: DocumentFields): DocumentFields {
  const next: DocumentFields = { ...current };
  for (const [field, value] of Object.entries(changes)) {
    if (value === null) delete next[field];
    else if (value !== undefined) next[field] = value;
  }
  return next;
}

function related(cells: ReturnType<typeof fenceCellChanges>): TransactionWrite[] {
  return [
    ...cells.puts.map((item) => ({ kind: 'putRelated' as const, item })),
    ...cells.deletes.map((key) => ({ kind: 'deleteRelated' as const, key })),
  ];
}

function sized(item: DocumentItem): DocumentItem {
  const bytes = Buffer.byteLength(JSON.stringify(item));
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new PayloadTooLargeError(`The document would take ${bytes} bytes; the limit is ${MAX_DOCUMENT_BYTES}.`);
  }
  return item;
}
