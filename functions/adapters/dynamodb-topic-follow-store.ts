/**
 * Topic follows in the single table (ARCHITECTURE.md): `pk = USER#<userId>`, `sk = TOPIC#<topic>`,
 * `listKey = _topic#<topic>`. A user's follows are one strongly consistent Query on their own
 * partition (a device registered right after a follow joins the topic); a topic's followers are
 * one Query on byCollection (for their inboxes when something is sent to the topic).
 */
import { DeleteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TopicFollow, TopicFollowStore } from '../core/push/push-ports.js';
import { FIXED_INDEXES, TABLE_KEY } from '../core/table-design.js';
import { conditionally, rethrowDynamoDbError } from './dynamodb-errors.js';
import { queryAll } from './dynamodb-paged-query.js';

export const TOPIC_FOLLOW_ENTITY = 'topicFollow';
const SORT_PREFIX = 'TOPIC#';
export const topicFollowKey = (userId: string, topic: string) => ({ [TABLE_KEY.partition]: `USER#${userId}`, [TABLE_KEY.sort]: `${SORT_PREFIX}${topic}` });
/** The byCollection partition that holds a topic's followers. */
export const topicListKey = (topic: string) => `_topic#${topic}`;

type FollowItem = { entity: typeof TOPIC_FOLLOW_ENTITY; owner: string; topic: string; createdAt: string };

export class DynamoDbTopicFollowStore implements TopicFollowStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async follow(userId: string, topic: string, at: Date): Promise<void> {
    // Following again keeps the first follow (and its date).
    await conditionally(() =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...topicFollowKey(userId, topic),
            entity: TOPIC_FOLLOW_ENTITY,
            owner: userId,
            topic,
            [FIXED_INDEXES.byCollection.partition]: topicListKey(topic),
            createdAt: at.toISOString(),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEY.partition },
        }),
      ),
    );
  }

  async unfollow(userId: string, topic: string): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: topicFollowKey(userId, topic) })).catch(rethrowDynamoDbError);
  }

  async topicsOf(userId: string): Promise<TopicFollow[]> {
    const items = await queryAll<FollowItem>(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEY.partition, '#sk': TABLE_KEY.sort },
      ExpressionAttributeValues: { ':pk': `USER#${userId}`, ':prefix': SORT_PREFIX },
      ConsistentRead: true,
    });
    return items.map((item) => ({ topic: item.topic, followedAt: item.createdAt }));
  }

  async followers(topic: string, options: { limit: number; after?: string }): Promise<{ userIds: string[]; after: string | undefined }> {
    const index = FIXED_INDEXES.byCollection;
    const page = await this.client
      .send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: index.name,
          KeyConditionExpression: '#list = :list',
          ExpressionAttributeNames: { '#list': index.partition },
          ExpressionAttributeValues: { ':list': topicListKey(topic) },
          Limit: options.limit,
          // `after` never leaves the server: it is the previous page's LastEvaluatedKey.
          ExclusiveStartKey: options.after === undefined ? undefined : (JSON.parse(options.after) as Record<string, unknown>),
        }),
      )
      .catch(rethrowDynamoDbError);
    return {
      userIds: ((page.Items ?? []) as FollowItem[]).map((item) => item.owner),
      after: page.LastEvaluatedKey ? JSON.stringify(page.LastEvaluatedKey) : undefined,
    };
  }
}
