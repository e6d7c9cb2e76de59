/**
 * The document store on the single table. Every write is conditional (on absence or on the
 * version read), reads are strongly consistent, and a query is one Query per page unless filters
 * drop items — then it reads on until the page is full, so a page is never empty while more
 * results exist.
 */
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TableKey } from '../core/geo/fences.js';
import type { GeoCell } from '../core/geo/geo-index.js';
import type { CursorPosition } from '../core/pagination/cursor.js';
import { documentKey, isExpired, ownerPartition, type DocumentItem } from '../core/documents/document-item.js';
import type { DocumentStore, QueryPage, TransactionOutcome, TransactionWrite, VersionCheck } from '../core/documents/document-store.js';
import type { Condition, QueryPlan } from '../core/documents/query-plan.js';
import { TooManyRequestsError } from '../core/errors.js';
import { FIXED_INDEXES, TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { batchDelete } from './dynamodb-batch-write.js';
import { isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';
import { readGeoCells } from './dynamodb-geo-cells.js';
import { countOwnerItems, liveAtFilter } from './dynamodb-owner-pages.js';
import { queryPage } from './dynamodb-paged-query.js';

export type DocumentStoreTuning = {
  /** Items a filtered query reads per request while filling a page. @default 100 */
  filteredReadSize?: number;
  /** Queries one page may make before answering with fewer items than asked (never none). @default 10 */
  maxReadsPerPage?: number;
};

export class DynamoDbDocumentStore implements DocumentStore {
  private readonly filteredReadSize: number;
  private readonly maxReadsPerPage: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    tuning: DocumentStoreTuning = {},
  ) {
    this.filteredReadSize = tuning.filteredReadSize ?? 100;
    this.maxReadsPerPage = tuning.maxReadsPerPage ?? 10;
  }

  async get(collection: string, id: string): Promise<DocumentItem | undefined> {
    const { Item } = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: documentKey(collection, id), ConsistentRead: true }))
      .catch(rethrowDynamoDbError);
    return Item as DocumentItem | undefined;
  }

  async create(item: DocumentItem): Promise<boolean> {
    try {
      await this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...versionCondition(undefined) }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      return rethrowDynamoDbError(error);
    }
  }

  async replace(item: DocumentItem, expectedVersion: number): Promise<VersionCheck> {
    return this.conditional(() =>
      this.client.send(
        new PutCommand({ TableName: this.tableName, Item: item, ...versionCondition(expectedVersion) }),
      ),
    );
  }

  async remove(collection: string, id: string, expectedVersion: number): Promise<VersionCheck> {
    return this.conditional(() =>
      this.client.send(
        new DeleteCommand({ TableName: this.tableName, Key: documentKey(collection, id), ...versionCondition(expectedVersion) }),
      ),
    );
  }

  async query(plan: QueryPlan, options: { limit: number; startKey?: CursorPosition; now: Date }): Promise<QueryPage> {
    const expression = new ExpressionBuilder();
    let keyCondition = `${expression.name(plan.partition.attribute)} = ${expression.value(plan.partition.value)}`;
    if (plan.sort) keyCondition += ` AND ${expression.condition([plan.sort.attribute], plan.sort.condition)}`;
    const filters = plan.filters.map((filter) => expression.condition(filter.path, filter.condition));
    if (plan.ttl) {
      const ttl = expression.name(TTL_ATTRIBUTE);
      filters.push(`(attribute_not_exists(${ttl}) OR ${ttl} > ${expression.value(Math.floor(options.now.getTime() / 1000))})`);
    }
    // One more than asked for tells whether another page exists.
    const wanted = options.limit + 1;
    const { items, lastEvaluatedKey, budgetSpent } = await queryPage<DocumentItem>(this.client, {
      input: {
        TableName: this.tableName,
        IndexName: plan.index,
        KeyConditionExpression: keyCondition,
        ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
        ExpressionAttributeNames: expression.names,
        ExpressionAttributeValues: expression.values,
        ScanIndexForward: plan.ascending,
      },
      wanted,
      startKey: options.startKey,
      keep: (item) => !isExpired(item, options.now),
      readSize: (missing) => (filters.length ? Math.max(this.filteredReadSize, wanted) : missing),
      // Filters can leave many reads empty-handed: past a budget, answer with what was found
      // (never nothing) and a cursor that resumes after the last item read.
      maxReads: this.maxReadsPerPage,
    });
    if (budgetSpent) return { items, lastKey: lastEvaluatedKey as CursorPosition };

    if (items.length <= options.limit) return { items };
    const returned = items.slice(0, options.limit);
    const last = returned.at(-1)! as Record<string, string | number>;
    const lastKey: CursorPosition = {
      [TABLE_KEY.partition]: last[TABLE_KEY.partition]!,
      [TABLE_KEY.sort]: last[TABLE_KEY.sort]!,
      [plan.partition.attribute]: last[plan.partition.attribute]!,
      [plan.sortAttribute]: last[plan.sortAttribute]!,
    };
    return { items: returned, lastKey };
  }

  readGeoCells(slot: number, cells: readonly GeoCell[]): Promise<DocumentItem[]> {
    return readGeoCells<DocumentItem>(this.client, this.tableName, slot, cells);
  }

  async transact(writes: TransactionWrite[]): Promise<TransactionOutcome> {
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: writes.map((write) => {
            switch (write.kind) {
              case 'delete':
                return { Delete: { TableName: this.tableName, Key: documentKey(write.collection, write.id), ...versionCondition(write.expectedVersion) } };
              case 'put':
                return { Put: { TableName: this.tableName, Item: write.item, ...versionCondition(write.expectedVersion) } };
              case 'putRelated':
                return { Put: { TableName: this.tableName, Item: write.item } };
              case 'deleteRelated':
                return { Delete: { TableName: this.tableName, Key: write.key } };
            }
          }),
        }),
      );
      return { ok: true };
    } catch (error) {
      if ((error as { name?: string }).name !== 'TransactionCanceledException') return rethrowDynamoDbError(error);
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      const indexesOf = (code: string) => reasons.flatMap((reason, index) => (reason.Code === code ? [index] : []));
      if (reasons.some((reason) => reason.Code === 'ThrottlingError' || reason.Code === 'ProvisionedThroughputExceeded')) {
        throw new TooManyRequestsError(undefined, { cause: error });
      }
      const failedConditions = indexesOf('ConditionalCheckFailed');
      const conflicts = indexesOf('TransactionConflict');
      if (failedConditions.length === 0 && conflicts.length === 0) return rethrowDynamoDbError(error);
      return { ok: false, failedConditions, conflicts };
    }
  }

  async listByOwner(collection: string, owner: string, options: { limit: number; startKey?: CursorPosition }): Promise<QueryPage> {
    const index = FIXED_INDEXES.byOwnerCreated;
    const { items, lastEvaluatedKey } = await queryPage<DocumentItem>(this.client, {
      input: {
        TableName: this.tableName,
        IndexName: index.name,
        KeyConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': index.partition },
        ExpressionAttributeValues: { ':owner': ownerPartition(collection, owner) },
        ScanIndexForward: false,
      },
      wanted: options.limit,
      startKey: options.startKey,
    });
    return { items, lastKey: lastEvaluatedKey as CursorPosition | undefined };
  }

  countByOwner(collection: string, owner: string, now: Date): Promise<number> {
    // Documents of a collection without a TTL field carry no `ttl`: the filter then keeps them all.
    return countOwnerItems(this.client, this.tableName, { ownerKey: ownerPartition(collection, owner), filter: liveAtFilter(now) });
  }

  async deleteMany(documents: readonly { collection: string; id: string }[], related: readonly TableKey[] = []): Promise<void> {
    await batchDelete(this.client, this.tableName, [...documents.map((document) => documentKey(document.collection, document.id)), ...related]);
  }

  private async conditional(write: () => Promise<unknown>): Promise<VersionCheck> {
    try {
      await write();
      return 'ok';
    } catch (error) {
      if (isConditionFailure(error)) return 'version-mismatch';
      return rethrowDynamoDbError(error);
    }
  }
}

type WriteCondition = {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/** A write's guard: the document must not exist yet (undefined), or still be at `expected`. */
function versionCondition(expected: number | undefined): WriteCondition {
  return expected === undefined
    ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': TABLE_KEY.partition } }
    : { ConditionExpression: '#version = :expected', ExpressionAttributeNames: { '#version': 'version' }, ExpressionAttributeValues: { ':expected': expected } };
}

/** Collects expression attribute names and values with safe placeholders. */
class ExpressionBuilder {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  private count = 0;

  name(attribute: string): string {
    const placeholder = `#n${Object.keys(this.names).length}`;
    const existing = Object.entries(this.names).find(([, value]) => value === attribute);
    if (existing) return existing[0];
    this.names[placeholder] = attribute;
    return placeholder;
  }

  value(value: unknown): string {
    const placeholder = `:v${this.count++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  condition(path: string[], condition: Condition): string {
    const target = path.map((segment) => this.name(segment)).join('.');
    switch (condition.op) {
      case 'eq':
        return `${target} = ${this.value(condition.value)}`;
      case 'lt':
        return `${target} < ${this.value(condition.value)}`;
      case 'lte':
        return `${target} <= ${this.value(condition.value)}`;
      case 'gt':
        return `${target} > ${this.value(condition.value)}`;
      case 'gte':
        return `${target} >= ${this.value(condition.value)}`;
      case 'between': {
        const [low, high] = condition.value as [unknown, unknown];
        return `${target} BETWEEN ${this.value(low)} AND ${this.value(high)}`;
      }
      case 'beginsWith':
        return `begins_with(${target}, ${this.value(condition.value)})`;
    }
  }
}
