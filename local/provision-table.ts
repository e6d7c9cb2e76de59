/**
 * Creates (or brings up to date) the local table from the same definition the CDK data construct
 * deploys: keys, GSIs, the NEW_AND_OLD_IMAGES stream and the TTL attribute.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { TABLE_KEY, TTL_ATTRIBUTE, tableIndexes, type IndexDesign } from '../functions/core/table-design.js';
import { LOCAL_CREDENTIALS, type LocalCredentials } from './emulators/local-credentials.js';

const gsi = (index: IndexDesign) => ({
  IndexName: index.name,
  KeySchema: [
    { AttributeName: index.partition, KeyType: 'HASH' as const },
    { AttributeName: index.sort, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'ALL' as const },
});

const attributes = (indexes: IndexDesign[]) =>
  [...new Set([TABLE_KEY.partition, TABLE_KEY.sort, ...indexes.flatMap((index) => [index.partition, index.sort])])].map(
    (AttributeName) => ({ AttributeName, AttributeType: 'S' as const }),
  );

/**
 * Returns the table's stream ARN. Every index slot exists whatever the config declares (as in the
 * CDK), so the backend's collections do not change the table.
 *
 * @example
 * const streamArn = await provisionTable({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials }, 'lambase-local');
 */
export async function provisionTable(
  dynamodb: { endpoint: string; region: string; /** @default LOCAL_CREDENTIALS */ credentials?: LocalCredentials },
  tableName: string,
): Promise<string> {
  const client = new DynamoDBClient({ ...dynamodb, credentials: dynamodb.credentials ?? LOCAL_CREDENTIALS });
  try {
    return await createOrUpdate(client, tableName);
  } finally {
    client.destroy();
  }
}

async function createOrUpdate(client: DynamoDBClient, tableName: string): Promise<string> {
  const indexes = tableIndexes();
  const existing = await describe(client, tableName);
  if (!existing) {
    const { TableDescription } = await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: TABLE_KEY.partition, KeyType: 'HASH' },
          { AttributeName: TABLE_KEY.sort, KeyType: 'RANGE' },
        ],
        AttributeDefinitions: attributes(indexes),
        GlobalSecondaryIndexes: indexes.map(gsi),
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE } }),
    );
    return streamArnOf(TableDescription, tableName);
  }
  // A config that declares more indexes than the table has: add the missing slots, one at a time.
  const present = new Set((existing.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = indexes.filter((candidate) => !present.has(candidate.name));
  for (const index of missing) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributes([index]),
        GlobalSecondaryIndexUpdates: [{ Create: gsi(index) }],
      }),
    );
  }
  // Adding indexes leaves the stream as it was; it is read again only then (every start calls this).
  return streamArnOf(missing.length > 0 ? await describe(client, tableName) : existing, tableName);
}

function streamArnOf(table: TableDescription | undefined, tableName: string): string {
  if (!table?.LatestStreamArn) throw new Error(`Table ${tableName} has no stream`);
  return table.LatestStreamArn;
}

async function describe(client: DynamoDBClient, tableName: string) {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}
