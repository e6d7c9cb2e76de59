/**
 * Consumed capacity is asked of DynamoDB only when someone reads it (the CloudWatch metric, the
 * request's INFO log line, the benchmark's header): each ask costs DynamoDB Local time in every
 * local request. Calls are counted either way.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDocumentClient, createDynamoDbClient } from '../../functions/adapters/aws-clients.js';

const table = () => process.env.LAMBASE_TABLE_NAME!;
type Reported = { operation: string; units: number | undefined };

function meteredClient(capacityWanted: boolean) {
  const reported: Reported[] = [];
  const client = createDocumentClient(
    createDynamoDbClient({
      record: (operation, consumed) => reported.push({ operation, units: consumed && !Array.isArray(consumed) ? consumed.CapacityUnits : undefined }),
      capacityWanted: () => capacityWanted,
    }),
  );
  return { client, reported };
}

describe('the DynamoDB meter', () => {
  it('reports each call with the capacity it consumed when the capacity is wanted', async () => {
    const { client, reported } = meteredClient(true);
    const key = { pk: `CAPACITY#${randomUUID()}`, sk: 'A' };
    await client.send(new PutCommand({ TableName: table(), Item: { ...key, value: 1 } }));
    await client.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
    expect(reported.map((entry) => entry.operation)).toEqual(['PutItem', 'GetItem']);
    expect(reported.every((entry) => (entry.units ?? 0) > 0)).toBe(true);
  });

  it('still counts every call, without asking DynamoDB for capacity, when nobody reads it', async () => {
    const { client, reported } = meteredClient(false);
    const key = { pk: `CAPACITY#${randomUUID()}`, sk: 'A' };
    await client.send(new PutCommand({ TableName: table(), Item: { ...key, value: 1 } }));
    const { Item } = await client.send(new GetCommand({ TableName: table(), Key: key, ConsistentRead: true }));
    expect(Item?.value).toBe(1);
    expect(reported).toEqual([
      { operation: 'PutItem', units: undefined },
      { operation: 'GetItem', units: undefined },
    ]);
  });
});

describe('whether a function wants the capacity', () => {
  const saved = { ...process.env };
  beforeEach(() => vi.resetModules());
  afterEach(() => {
    process.env = { ...saved };
  });
  const wanted = async (env: Record<string, string | undefined>) => {
    for (const name of ['LAMBASE_REPORT_USAGE', 'AWS_LAMBDA_FUNCTION_NAME', 'POWERTOOLS_METRICS_DISABLED', 'POWERTOOLS_LOG_LEVEL', 'AWS_LAMBDA_LOG_LEVEL']) delete process.env[name];
    Object.assign(process.env, env);
    const { dynamoDbMeter } = await import('../../functions/shared/dynamodb-usage.js');
    return dynamoDbMeter.capacityWanted();
  };

  it('in Lambda, for the DynamoDBCapacityUnits metric, whatever the log level', async () => {
    expect(await wanted({ AWS_LAMBDA_FUNCTION_NAME: 'DataGetDocument', POWERTOOLS_LOG_LEVEL: 'WARN' })).toBe(true);
  });
  it('when requests are logged at INFO (their log line carries the units)', async () => {
    expect(await wanted({ POWERTOOLS_LOG_LEVEL: 'INFO' })).toBe(true);
  });
  it('when the benchmark asks for the usage header', async () => {
    expect(await wanted({ LAMBASE_REPORT_USAGE: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' })).toBe(true);
  });
  it('not in local mode as it runs by default (metrics off, WARN)', async () => {
    expect(await wanted({ AWS_LAMBDA_FUNCTION_NAME: 'DataGetDocument', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'WARN' })).toBe(false);
  });
});
