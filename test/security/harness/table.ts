/**
 * The local table, read and written straight (with the data folder's key pair): documents seeded
 * for any owner whatever the collection's create rule, and read back to check what a request did.
 */
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ResolvedCollection } from '../../../functions/core/config/define-backend.js';
import { documentKey, toItem, type DocumentItem } from '../../../functions/core/documents/document-item.js';
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
