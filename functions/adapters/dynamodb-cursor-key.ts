/**
 * The key page cursors are signed with: 32 random bytes kept in the table itself (pk `#META`,
 * sk `CURSOR_KEY`), created by the first function that needs it, so no secret ever appears in
 * code, templates or environment. Functions may touch only this item (IAM LeadingKeys).
 */
import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pageCursors, type PageCursors } from '../core/pagination/cursor.js';
import { TABLE_KEY } from '../core/table-design.js';
import { isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';

export const CURSOR_KEY_ITEM = { [TABLE_KEY.partition]: '#META', [TABLE_KEY.sort]: 'CURSOR_KEY' } as const;

export async function loadCursorKey(client: DynamoDBDocumentClient, tableName: string): Promise<Buffer> {
  const read = async () => {
    const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: CURSOR_KEY_ITEM, ConsistentRead: true }));
    return typeof Item?.key === 'string' ? Buffer.from(Item.key, 'base64') : undefined;
  };
  try {
    const existing = await read();
    if (existing) return existing;
    const key = randomBytes(32);
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...CURSOR_KEY_ITEM, key: key.toString('base64') },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
      }),
    );
    return key;
  } catch (error) {
    // Another function created it first: use theirs.
    if (isConditionFailure(error)) return (await read())!;
    return rethrowDynamoDbError(error);
  }
}

/** The cursor key, read on the first call and kept (a failed read is retried on the next call). */
function cachedCursorKey(client: DynamoDBDocumentClient, tableName: string): () => Promise<Buffer> {
  let key: Promise<Buffer> | undefined;
  return () =>
    (key ??= loadCursorKey(client, tableName).catch((error: unknown) => {
      key = undefined;
      throw error;
    }));
}

const environmentKeys = new WeakMap<DynamoDBDocumentClient, Map<string, () => Promise<Buffer>>>();

/**
 * Page cursors signed with the table's cursor key (grant: `cursorKey`). The key is read on first
 * use and then once per execution environment, however many parts sign cursors with it.
 *
 * @example
 * const cursors = tableCursors(client, tableName);
 * (await cursors()).encode(position, scope);
 */
export function tableCursors(client: DynamoDBDocumentClient, tableName: string): () => Promise<PageCursors> {
  const keys = environmentKeys.get(client) ?? new Map<string, () => Promise<Buffer>>();
  environmentKeys.set(client, keys);
  let key = keys.get(tableName);
  if (!key) {
    key = cachedCursorKey(client, tableName);
    keys.set(tableName, key);
  }
  return pageCursors(key);
}
