/**
 * Nothing of local mode is reachable from beyond the machine. `npm start` runs as a process; from
 * /proc, every socket its process tree listens on is bound to 127.0.0.1 — all but DynamoDB
 * Local's, which has no bind option and listens on every interface. From another address of this
 * machine (its own non-loopback one: a connection from elsewhere on the network arrives the same
 * way), the other listeners refuse the connection, and DynamoDB Local, asked with any key but the
 * data folder's secret one, holds no table at all: the developer's data stays out of reach.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, GetItemCommand, ListTablesCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { CREDENTIALS_FILE, LOCAL_CREDENTIALS, type LocalCredentials } from '../../../local/emulators/local-credentials.js';
import { LOCAL_TABLE_NAME } from '../../../local/start-local.js';
import { send } from '../harness/http.js';
import { listenersOf, processesMentioning, processTree, startLocalProcess, stopLocalProcess, type Listener, type LocalProcess } from '../harness/local-process.js';
import { testIn } from '../harness/security-test.js';
import { signUpThroughApi } from '../harness/world.js';

const it = testIn('network');

/** This machine's own address on its network (another host's packets arrive there). */
const externalAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((address) => address && address.family === 'IPv4' && !address.internal)?.address;
/** The address the connections below come from and go to. */
function fromOutside(): string {
  expect(externalAddress, 'this test needs a non-loopback IPv4 address on this machine (eth0…)').toBeDefined();
  return externalAddress!;
}

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1';

let dataDir: string;
let local: LocalProcess;
let listeners: Listener[];
let credentials: LocalCredentials;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-network-'));
  local = await startLocalProcess(dataDir);
  credentials = JSON.parse(await readFile(path.join(dataDir, CREDENTIALS_FILE), 'utf8')) as LocalCredentials;
  listeners = listenersOf(processTree(local.child.pid!));
});

afterAll(async () => {
  if (local) await stopLocalProcess(local, dataDir);
  expect(processesMentioning(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

describe('local mode on the network', () => {
  it('listens on 127.0.0.1 only, but for DynamoDB Local', ({ tally }) => {
    const java = listeners.filter((listener) => listener.command.endsWith('java') && listener.protocol.startsWith('tcp'));
    const others = listeners.filter((listener) => !java.includes(listener));
    for (const listener of listeners) tally.check();
    expect(others.length, 'the gateway, S3 and its store, Cognito').toBeGreaterThanOrEqual(4);
    expect(others.filter((listener) => !isLoopback(listener.address)), 'listeners on a non-loopback address').toEqual([]);
    expect(java, 'DynamoDB Local: one port, on every interface').toHaveLength(1);
  });

  it('refuses connections from another address on every port but DynamoDB Local\'s', async ({ tally }) => {
    const from = fromOutside();
    const ports = [...new Set(listeners.filter((listener) => !listener.command.endsWith('java')).map((listener) => listener.port))];
    for (const port of ports) {
      tally.check();
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect({ host: from, port }, () => {
          socket.destroy();
          resolve('connected');
        });
        socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      });
      expect(outcome, `port ${port} from ${from}`).toBe('ECONNREFUSED');
    }
  });

  it('shows DynamoDB Local\'s data to no key but the data folder\'s own, from another address', async ({ tally }) => {
    const token = (await signUpThroughApi(local.url, 'network')).accessToken;
    const note = await send(local.url, { method: 'POST', path: '/data/notes', token, body: { title: 'private' } });
    expect(note.status).toBe(201);
    const port = listeners.find((listener) => listener.command.endsWith('java'))!.port;
    const from = fromOutside();
    const client = (keys: LocalCredentials) => new DynamoDBClient({ endpoint: `http://${from}:${port}`, region: 'us-east-1', credentials: keys, maxAttempts: 1 });
    // The keys anyone would try: DynamoDB Local's documented ones, local mode's old shared one, AWS's example.
    const guesses: LocalCredentials[] = [
      LOCAL_CREDENTIALS,
      { accessKeyId: 'local', secretAccessKey: 'local' },
      { accessKeyId: 'fakeMyKeyId', secretAccessKey: 'fakeSecretAccessKey' },
      { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      { accessKeyId: credentials.accessKeyId.slice(0, -1), secretAccessKey: credentials.secretAccessKey },
    ];
    for (const keys of guesses) {
      tally.check();
      const guessing = client(keys);
      try {
        expect((await guessing.send(new ListTablesCommand({}))).TableNames, keys.accessKeyId).toEqual([]);
        await expect(guessing.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME })), keys.accessKeyId).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
      } finally {
        guessing.destroy();
      }
    }
    // The folder's own key reads it (from anywhere: the key id is what keeps it).
    tally.check();
    const owner = client(credentials);
    try {
      const id = (note.json as { id: string }).id;
      const { Item } = await owner.send(new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: { S: `DOC#notes#${id}` }, sk: { S: 'DOC' } } }));
      expect(Item?.data?.M?.title?.S).toBe('private');
    } finally {
      owner.destroy();
    }
  });
});
