/**
 * Realtime connections and subscriptions in the single table (ARCHITECTURE.md, "Realtime"):
 *
 * - the connection: `pk = WSCONN#<connectionId>`, `sk = CONNECTION` (its caller, `connectedAt`, `ttl`);
 * - one reference per subscription beside it: `sk = SUBSCRIPTION#<id>` (the target), so a
 *   connection's subscriptions are one consistent Query of its own partition (unsubscribe,
 *   replace-by-id, the 100 limit, disconnect);
 * - the subscription itself where the fan-out looks: `pk = WSSUB#<collection>` (whole collection),
 *   `WSSUB#<collection>#<docId>` (one document) or `WSSUB#_inbox#<userId>` (the notifications
 *   channel), `sk = <connectionId>#<id>`, with a copy of the caller, so a change's subscribers are
 *   one Query per group and nothing else.
 *
 * Every item carries the connection's `ttl` (API Gateway's 2-hour limit plus a margin); reads
 * leave expired items out, since DynamoDB deletes them only lazily.
 */
import pMap from 'p-map';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Connection, RealtimeCaller, Subscription, SubscriptionTarget } from '../core/realtime/realtime-protocol.js';
import { groupOf, type ConnectionStore, type SubscriberGroup } from '../core/realtime/realtime-ports.js';
import { TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { batchDelete } from './dynamodb-batch-write.js';
import { conditionally, rethrowDynamoDbError } from './dynamodb-errors.js';
import { queryAll } from './dynamodb-paged-query.js';

export const CONNECTION_ENTITY = 'realtimeConnection';
export const SUBSCRIPTION_REF_ENTITY = 'realtimeSubscriptionRef';
export const SUBSCRIPTION_ENTITY = 'realtimeSubscription';

const CONNECTION_SORT_KEY = 'CONNECTION';
const REF_PREFIX = 'SUBSCRIPTION#';
/** Subscription items rewritten at once when a connection's caller changes (≤ 100 of them). */
const UPDATE_CONCURRENCY = 10;

const connectionPartition = (connectionId: string) => `WSCONN#${connectionId}`;
export const connectionKey = (connectionId: string) => ({ [TABLE_KEY.partition]: connectionPartition(connectionId), [TABLE_KEY.sort]: CONNECTION_SORT_KEY });
const refKey = (connectionId: string, id: string) => ({ [TABLE_KEY.partition]: connectionPartition(connectionId), [TABLE_KEY.sort]: `${REF_PREFIX}${id}` });

/** The partition of a group of subscribers. Collection names start with a letter, so `_inbox` is no collection. */
export function subscriberPartition(group: SubscriberGroup): string {
  if ('inboxOf' in group) return `WSSUB#_inbox#${group.inboxOf}`;
  return 'docId' in group ? `WSSUB#${group.collection}#${group.docId}` : `WSSUB#${group.collection}`;
}

const subscriptionKey = (subscription: Pick<Subscription, 'connectionId' | 'id' | 'target'>) => ({
  [TABLE_KEY.partition]: subscriberPartition(groupOf(subscription.target)),
  [TABLE_KEY.sort]: `${subscription.connectionId}#${subscription.id}`,
});

type ConnectionItem = { entity: typeof CONNECTION_ENTITY; connectionId: string; connectedAt: number; caller?: RealtimeCaller; ttl: number };
type RefItem = { entity: typeof SUBSCRIPTION_REF_ENTITY; connectionId: string; subscriptionId: string; target: SubscriptionTarget; ttl: number };
type SubscriptionItem = Omit<RefItem, 'entity'> & { entity: typeof SUBSCRIPTION_ENTITY; caller?: RealtimeCaller };

export class DynamoDbConnectionStore implements ConnectionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async open(connection: Connection): Promise<void> {
    const item: ConnectionItem = { entity: CONNECTION_ENTITY, ...connection };
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { ...connectionKey(connection.connectionId), ...item } })).catch(rethrowDynamoDbError);
  }

  async get(connectionId: string): Promise<Connection | undefined> {
    const { Item } = await this.client
      .send(new GetCommand({ TableName: this.tableName, Key: connectionKey(connectionId), ConsistentRead: true }))
      .catch(rethrowDynamoDbError);
    const item = Item as ConnectionItem | undefined;
    if (item?.entity !== CONNECTION_ENTITY) return undefined;
    return { connectionId: item.connectionId, connectedAt: item.connectedAt, ttl: item.ttl, ...(item.caller ? { caller: item.caller } : {}) };
  }

  async subscriptionsOf(connectionId: string): Promise<Subscription[]> {
    const refs = await this.queryAll<RefItem>({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :refs)',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partition, '#sk': TABLE_KEY.sort },
      ExpressionAttributeValues: { ':pk': connectionPartition(connectionId), ':refs': REF_PREFIX },
    });
    return refs.map((ref) => ({ connectionId: ref.connectionId, id: ref.subscriptionId, target: ref.target, ttl: ref.ttl }));
  }

  setCaller(connectionId: string, caller: RealtimeCaller | undefined, expected?: { expiresAt: number }): Promise<boolean> {
    const names: Record<string, string> = { '#pk': TABLE_KEY.partition, '#caller': 'caller' };
    const values: Record<string, unknown> = {};
    let condition = 'attribute_exists(#pk)';
    if (expected) {
      condition += ' AND #caller.#expiresAt = :expected';
      names['#expiresAt'] = 'expiresAt';
      values[':expected'] = expected.expiresAt;
    }
    if (caller) values[':caller'] = caller;
    return conditionally(() =>
      this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectionKey(connectionId),
          UpdateExpression: caller ? 'SET #caller = :caller' : 'REMOVE #caller',
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
        }),
      ),
    );
  }

  async putSubscription(subscription: Subscription, replaced?: Subscription): Promise<boolean> {
    const ref: RefItem = { entity: SUBSCRIPTION_REF_ENTITY, connectionId: subscription.connectionId, subscriptionId: subscription.id, target: subscription.target, ttl: subscription.ttl };
    const item: SubscriptionItem = { ...ref, entity: SUBSCRIPTION_ENTITY, ...(subscription.caller ? { caller: subscription.caller } : {}) };
    const key = subscriptionKey(subscription);
    const oldKey = replaced && subscriptionKey(replaced);
    const movesPartition = oldKey !== undefined && oldKey[TABLE_KEY.partition] !== key[TABLE_KEY.partition];
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            // Only while the connection exists: a subscription written after $disconnect's cleanup would linger.
            {
              ConditionCheck: {
                TableName: this.tableName,
                Key: connectionKey(subscription.connectionId),
                ConditionExpression: 'attribute_exists(#pk)',
                ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
              },
            },
            { Put: { TableName: this.tableName, Item: { ...refKey(subscription.connectionId, subscription.id), ...ref } } },
            { Put: { TableName: this.tableName, Item: { ...key, ...item } } },
            ...(movesPartition ? [{ Delete: { TableName: this.tableName, Key: oldKey } }] : []),
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
      if ((error as { name?: string }).name === 'TransactionCanceledException' && reasons[0]?.Code === 'ConditionalCheckFailed') return false;
      return rethrowDynamoDbError(error);
    }
  }

  async setSubscriptionCaller(subscriptions: readonly Subscription[], caller: RealtimeCaller | undefined): Promise<void> {
    await pMap(
      subscriptions,
      (subscription) =>
        conditionally(() =>
          this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: subscriptionKey(subscription),
              UpdateExpression: caller ? 'SET #caller = :caller' : 'REMOVE #caller',
              ConditionExpression: 'attribute_exists(#pk)',
              ExpressionAttributeNames: { '#pk': TABLE_KEY.partition, '#caller': 'caller' },
              ...(caller ? { ExpressionAttributeValues: { ':caller': caller } } : {}),
            }),
          ),
        ),
      { concurrency: UPDATE_CONCURRENCY },
    );
  }

  async deleteSubscriptions(subscriptions: readonly Subscription[]): Promise<void> {
    await batchDelete(
      this.client,
      this.tableName,
      subscriptions.flatMap((subscription) => [refKey(subscription.connectionId, subscription.id), subscriptionKey(subscription)]),
    );
  }

  async close(connectionId: string): Promise<void> {
    // The connection first: a subscribe racing with this finds it gone and writes nothing.
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: connectionKey(connectionId) })).catch(rethrowDynamoDbError);
    await this.deleteSubscriptions(await this.subscriptionsOf(connectionId));
  }

  async subscribers(group: SubscriberGroup, options: { after?: string; now: Date }): Promise<{ items: Subscription[]; after?: string }> {
    const partition = subscriberPartition(group);
    const { Items, LastEvaluatedKey } = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          // Consistent: a subscription answered `subscribed` before a change was committed is seen.
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk',
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#pk': TABLE_KEY.partition, '#ttl': TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ':pk': partition, ':now': Math.floor(options.now.getTime() / 1000) },
          ...(options.after !== undefined ? { ExclusiveStartKey: { [TABLE_KEY.partition]: partition, [TABLE_KEY.sort]: options.after } } : {}),
        }),
      )
      .catch(rethrowDynamoDbError);
    const items = ((Items ?? []) as SubscriptionItem[])
      .filter((item) => item.entity === SUBSCRIPTION_ENTITY)
      .map((item) => ({ connectionId: item.connectionId, id: item.subscriptionId, target: item.target, ttl: item.ttl, ...(item.caller ? { caller: item.caller } : {}) }));
    const after = LastEvaluatedKey?.[TABLE_KEY.sort] as string | undefined;
    return { items, ...(after !== undefined ? { after } : {}) };
  }

  private queryAll<T>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
    return queryAll<T>(this.client, { TableName: this.tableName, ConsistentRead: true, ...input });
  }
}
