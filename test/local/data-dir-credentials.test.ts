/**
 * DynamoDB Local listens on every interface and checks no signature; what keeps a data folder's
 * tables to its own backend is the folder's secret key id (one database per key id). Here: the key
 * pair's file, the isolation it gives, and the upgrade of a folder written with `-sharedDb`.
 * (test/security/network-exposure.test.ts proves the same from another address, over the network.)
 */
import { mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDynamoDb, type LocalDynamoDb } from '../../local/emulators/dynamodb.js';
import { CREDENTIALS_FILE, dataDirCredentials, LOCAL_CREDENTIALS, type LocalCredentials } from '../../local/emulators/local-credentials.js';

let dataDir: string;
const started: LocalDynamoDb[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-credentials-'));
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((dynamodb) => dynamodb.stop()));
  await rm(dataDir, { recursive: true, force: true });
});

const tablesSeenWith = async (endpoint: string, credentials: LocalCredentials) => {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames;
  } finally {
    client.destroy();
  }
};

async function start(credentials: LocalCredentials): Promise<LocalDynamoDb> {
  const dynamodb = await startDynamoDb({ dataDir: path.join(dataDir, 'dynamodb'), credentials });
  started.push(dynamodb);
  return dynamodb;
}

async function createTable(endpoint: string, credentials: LocalCredentials, name: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );
  } finally {
    client.destroy();
  }
}

describe('a data folder\'s key pair', () => {
  it('is made once, readable by its owner alone, and the same at every start', async () => {
    const first = await dataDirCredentials(dataDir);
    expect(first.accessKeyId).toMatch(/^LB[0-9A-F]{40}$/);
    expect((await stat(path.join(dataDir, CREDENTIALS_FILE))).mode & 0o777).toBe(0o600);
    expect(await dataDirCredentials(dataDir)).toEqual(first);
    expect(await dataDirCredentials(await mkdtemp(path.join(dataDir, 'other-')))).not.toEqual(first);
  });

  it('keeps the folder\'s tables from a client with any other key id, the well-known local one included', async () => {
    const credentials = await dataDirCredentials(dataDir);
    const dynamodb = await start(credentials);
    await createTable(dynamodb.endpoint, credentials, 'private-table');
    expect(await tablesSeenWith(dynamodb.endpoint, credentials)).toEqual(['private-table']);
    expect(await tablesSeenWith(dynamodb.endpoint, LOCAL_CREDENTIALS)).toEqual([]);
    expect(await tablesSeenWith(dynamodb.endpoint, { accessKeyId: 'local', secretAccessKey: 'local' })).toEqual([]);
  });

  it('takes over the database a folder kept before, when every key shared one (-sharedDb)', async () => {
    const before = { accessKeyId: 'BEFORE0000000000000000', secretAccessKey: 'x' };
    const old = await start(before);
    await createTable(old.endpoint, before, 'kept-table');
    await old.stop();
    // What an earlier version left: the one shared database file.
    await rename(path.join(dataDir, 'dynamodb', `${before.accessKeyId}_us-east-1.db`), path.join(dataDir, 'dynamodb', 'shared-local-instance.db'));

    const credentials = await dataDirCredentials(dataDir);
    const upgraded = await start(credentials);
    expect(await tablesSeenWith(upgraded.endpoint, credentials)).toEqual(['kept-table']);
    expect(await readdir(path.join(dataDir, 'dynamodb'))).toEqual([`${credentials.accessKeyId}_us-east-1.db`]);
  });
});
