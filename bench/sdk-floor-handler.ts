/**
 * The AWS SDK's own cold start, as a floor for section 5: a handler that holds only the DynamoDB
 * client and sends one GetItem (a key that is never written: the answer is an empty item), built
 * with the same shared settings as every function. Whatever a function that calls DynamoDB adds
 * over this row is Lambase's; what this row adds over the empty handler is the SDK's.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});

export const handler = async () => {
  const { Item } = await client.send(
    new GetItemCommand({ TableName: process.env.LAMBASE_TABLE_NAME, Key: { pk: { S: 'BENCH#sdk-floor' }, sk: { S: 'BENCH#sdk-floor' } } }),
  );
  return { statusCode: 200, body: JSON.stringify({ found: Item !== undefined }) };
};
