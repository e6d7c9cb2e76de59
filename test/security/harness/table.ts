/**
 * The local table, read and written straight (with the data folder's key pair): documents seeded
 * for any owner whatever the collection's create rule, and read back to check what a request did.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import { documentKey, toItem, type DocumentItem } from '../../../functions/core/documents/document-item.js';
import { TABLE_KEY } from '../../../functions/core/table-design.js';
import type { World } from './world.js';

const clients = new WeakMap<World, DynamoDBDocumentClient>();

function table(world: World): DynamoDBDocumentClient {
  let client = clients.get(world);
  if (!client) {
    client = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: world.endpoints.dynamodb, region: world.region, credentials: world.credentials }), {
      marshallOptions: { removeUndefinedValues: true },
    });
    clients.set(world, client);
  }
  return client;
}

/** Writes a document of `ownerId`'s as the backend would store it; returns its id. */
export async function seedDocument(world: World, collection: ResolvedCollection, ownerId: string, fields: Record<string, unknown>): Promise<string> {
  const id = randomBytes(16).toString('base64url');
  const now = new Date().toISOString();
  const item = toItem(collection, { id, owner: ownerId, createdAt: now, updatedAt: now, version: 1 }, fields);
  await table(world).send(new PutCommand({ TableName: world.tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }));
  return id;
}

export async function readDocument(world: World, collection: string, id: string): Promise<DocumentItem | undefined> {
  const { Item } = await table(world).send(new GetCommand({ TableName: world.tableName, Key: documentKey(collection, id), ConsistentRead: true }));
  return Item as DocumentItem | undefined;
}

/** How many items one partition holds (realtime subscriptions: `WSSUB#<collection>`), read consistently. */
export async function countPartition(world: World, partition: string): Promise<number> {
  const { Count } = await table(world).send(
    new QueryCommand({ TableName: world.tableName, KeyConditionExpression: '#pk = :pk', ExpressionAttributeNames: { '#pk': TABLE_KEY.partition }, ExpressionAttributeValues: { ':pk': partition }, Select: 'COUNT', ConsistentRead: true }),
  );
  return Count ?? 0;
}
