/**
 * `ProfileStore` in the single table: one item per user, `pk = USER#<userId>`, `sk = PROFILE`
 * (ARCHITECTURE.md). Writes only (PutItem, UpdateItem, DeleteItem): the routes that use it need no
 * read permission. `entity = ENTITY.profile` lets stream consumers tell profiles from other items.
 * Throttling is a 429 (rethrowDynamoDbError), like every other table access.
 */
import { DeleteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ProfileRecord, ProfileStore } from '../core/auth/ports.js';
import { ENTITY, TABLE_KEY } from '../core/table-design.js';
import { isConditionFailure, rethrowDynamoDbError } from './dynamodb-errors.js';

export const PROFILE_SORT_KEY = 'PROFILE';

export function profileKey(userId: string): Record<string, string> {
  return { [TABLE_KEY.partition]: `USER#${userId}`, [TABLE_KEY.sort]: PROFILE_SORT_KEY };
}

export class DynamoDbProfileStore implements ProfileStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(profile: ProfileRecord): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...profileKey(profile.userId), entity: ENTITY.profile, ...profile, updatedAt: profile.createdAt },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) return;
      rethrowDynamoDbError(error);
    }
  }

  async saveName(userId: string, name: string | undefined, seed: { email: string; createdAt: string }, at: Date): Promise<void> {
    const set = ['#entity = :entity', '#userId = :userId', '#email = :email', '#createdAt = if_not_exists(#createdAt, :createdAt)', '#updatedAt = :now'];
    const values: Record<string, unknown> = {
      ':entity': ENTITY.profile,
      ':userId': userId,
      ':email': seed.email,
      ':createdAt': seed.createdAt,
      ':now': at.toISOString(),
    };
    if (name !== undefined) {
      set.push('#name = :name');
      values[':name'] = name;
    }
    const update = new UpdateCommand({
      TableName: this.tableName,
      Key: profileKey(userId),
      UpdateExpression: `SET ${set.join(', ')}${name === undefined ? ' REMOVE #name' : ''}`,
      ExpressionAttributeNames: {
        '#entity': 'entity',
        '#userId': 'userId',
        '#email': 'email',
        '#createdAt': 'createdAt',
        '#updatedAt': 'updatedAt',
        '#name': 'name',
      },
      ExpressionAttributeValues: values,
    });
    await this.client.send(update).catch(rethrowDynamoDbError);
  }

  async delete(userId: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: profileKey(userId) })).catch(rethrowDynamoDbError);
  }
}
