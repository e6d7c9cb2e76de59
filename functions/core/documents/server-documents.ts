/**
 * The document database as server-side code (user functions' `ctx.documents`) sees it: every
 * document of every collection, with the collections' schemas, server-set fields and versions —
 * but **not** their access rules. A function acts on the backend's own authority, so it is the
 * function's job to decide for whom it reads or writes (docs/api/functions.md says so loudly).
 *
 * It runs the same use cases as the HTTP routes, as a caller in the admin group (whom the access
 * rules let do everything), so there is one implementation of validation and concurrency.
 *
 * @example
 * const post = await documents.create('posts', { title: 'Hello', published: true }, { owner: userId });
 * const mine = await documents.count('notes', { owner: userId });
 */
import type { Caller } from '../config/access-rules.js';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import type { Document } from './document-item.js';
import type { DocumentService, Page } from './document-service.js';
import type { DocumentStore } from './document-store.js';
import type { QueryInput } from './query-plan.js';

/** The user id server-side writes are made as when no owner is named. */
export const SYSTEM_OWNER = 'system';

export type ServerQuery = QueryInput & { limit?: number; cursor?: string };

export class ServerDocuments {
  constructor(
    private readonly deps: { service: DocumentService; store: DocumentStore; clock: Clock },
  ) {}

  /** The document, or undefined when there is none (or it has expired). */
  async get(collection: string, id: string): Promise<Document | undefined> {
    try {
      return await this.deps.service.get(this.as(SYSTEM_OWNER), collection, id);
    } catch (error) {
      if (error instanceof NotFoundError) return this.unknownCollectionOr(collection, undefined);
      throw error;
    }
  }

  /** Creates a document owned by `owner` (a user id). @default owner "system" */
  create(collection: string, fields: Record<string, unknown>, options: { owner?: string } = {}): Promise<Document> {
    return this.deps.service.create(this.as(options.owner ?? SYSTEM_OWNER), collection, fields);
  }

  /** PATCH semantics (`null` removes an optional field); `ifVersion` fails with a 412 error on another version. */
  update(collection: string, id: string, patch: Record<string, unknown>, options: { ifVersion?: number } = {}): Promise<Document> {
    return this.deps.service.update(this.as(SYSTEM_OWNER), collection, id, patch, options.ifVersion);
  }

  /** Deletes the document; false when there was none. */
  async delete(collection: string, id: string, options: { ifVersion?: number } = {}): Promise<boolean> {
    try {
      await this.deps.service.remove(this.as(SYSTEM_OWNER), collection, id, options.ifVersion);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return this.unknownCollectionOr(collection, false);
      throw error;
    }
  }

  /**
   * A page of a query, planned like `POST /data/{collection}/query`: served by an index, or within
   * one owner's documents — on a collection readable by its owners only, name `where.owner`.
   */
  query(collection: string, query: ServerQuery = {}): Promise<Page<Document>> {
    const { limit = 20, cursor, ...input } = query;
    return this.deps.service.query(this.as(SYSTEM_OWNER), collection, input, { limit: Math.min(Math.max(1, limit), 100), cursor });
  }

  /** How many documents `owner` has in `collection` (one Query with `Select: COUNT` per MB, no scan). */
  count(collection: string, options: { owner: string }): Promise<number> {
    const resolved = this.deps.service.collection(collection);
    return this.deps.store.countByOwner(resolved.name, options.owner, this.deps.clock.now());
  }

  private as(userId: string): Caller {
    return { userId, groups: [this.deps.service.adminGroup] };
  }

  /** A missing collection is the caller's bug and stays an error; a missing document is an answer. */
  private unknownCollectionOr<T>(collection: string, answer: T): T {
    this.deps.service.collection(collection);
    return answer;
  }
}
