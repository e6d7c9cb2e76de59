/**
 * The port the document service needs from storage. The DynamoDB adapter implements it with one
 * request per method (transactions for batches); conditions make every write atomic.
 */
import type { TableKey } from '../geo/fences.js';
import type { GeoCell } from '../geo/geo-index.js';
import type { CursorPosition } from '../pagination/cursor.js';
import type { DocumentItem } from './document-item.js';
import type { QueryPlan } from './query-plan.js';

export type VersionCheck = 'ok' | 'version-mismatch';

export type TransactionWrite =
  /** Put `item`; `expectedVersion` undefined means the document must not exist yet. */
  | { kind: 'put'; item: DocumentItem; expectedVersion?: number }
  | { kind: 'delete'; collection: string; id: string; expectedVersion: number }
  /** An item that belongs to a document (a geofence's cells), written unconditionally with it. */
  | { kind: 'putRelated'; item: Record<string, unknown> }
  | { kind: 'deleteRelated'; key: TableKey };

/**
 * Why a transaction was cancelled: the writes whose condition failed, and the writes another
 * transaction was changing at the same moment.
 */
export type TransactionOutcome = { ok: true } | { ok: false; failedConditions: number[]; conflicts: number[] };

export type QueryPage = { items: DocumentItem[]; lastKey?: CursorPosition };

export type DocumentStore = {
  /** A strongly consistent read. */
  get(collection: string, id: string): Promise<DocumentItem | undefined>;
  /** Writes a new document; false when one with that key exists already. */
  create(item: DocumentItem): Promise<boolean>;
  /** Overwrites the document if it still has `expectedVersion`. */
  replace(item: DocumentItem, expectedVersion: number): Promise<VersionCheck>;
  /** Deletes the document if it still has `expectedVersion`. */
  remove(collection: string, id: string, expectedVersion: number): Promise<VersionCheck>;
  /**
   * Up to `limit` items in the plan's order, starting after `startKey`, skipping expired ones.
   * `lastKey` is set exactly when more items match after the last one returned.
   */
  query(plan: QueryPlan, options: { limit: number; startKey?: CursorPosition; now: Date }): Promise<QueryPage>;
  /** Every document stored in these cells of the geo index in slot `slot` (one Query per cell). */
  readGeoCells(slot: number, cells: readonly GeoCell[]): Promise<DocumentItem[]>;
  /** All writes or none. */
  transact(writes: TransactionWrite[]): Promise<TransactionOutcome>;
  /** One page of `owner`'s documents in `collection`, newest first, expired ones included. */
  listByOwner(collection: string, owner: string, options: { limit: number; startKey?: CursorPosition }): Promise<QueryPage>;
  /** How many documents `owner` has in `collection`, expired ones left out (counted without a scan). */
  countByOwner(collection: string, owner: string, now: Date): Promise<number>;
  /** Deletes these documents, and the items that belong to them, without conditions (account erasure). */
  deleteMany(documents: readonly { collection: string; id: string }[], related?: readonly TableKey[]): Promise<void>;
};
