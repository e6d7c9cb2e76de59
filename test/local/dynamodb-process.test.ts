/**
 * DynamoDB Local's Java process is started for local mode and must never outlive it: not after
 * stop(), not after an aborted start, not even when the Node process that started it is killed.
 * And a port taken between choosing it and Java binding it is not fatal (each launch is announced
 * with its address, which local mode uses before Java answers).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/project-root.js';
import { buildClassArchive, startDynamoDb } from '../../local/emulators/dynamodb.js';
import { jarsOnlyManifest } from '../../local/emulators/dynamodb-class-archive.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { processesMentioning, waitFor } from './fixtures/processes.js';

const javaOn = (dataDir: string) => processesMentioning(dataDir).filter((candidate) => candidate.args.startsWith('java ') && candidate.args.includes('DynamoDBLocal.jar'));

let dataDir: string;
const children: ChildProcess[] = [];
const servers: Server[] = [];

beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-ddb-process-'));
});
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const server of servers.splice(0)) server.close();
  // Whatever a failing test left behind.
  for (const { pid } of processesMentioning(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

describe('DynamoDB Local\'s process', () => {
  it('dies with the Node process that started it, even when that one is SIGKILLed', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/local/fixtures/start-dynamodb.ts', dataDir], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    await waitFor(() => output.includes('ready http://127.0.0.1:'), 60_000, 'DynamoDB Local to start');
    expect(javaOn(dataDir)).toHaveLength(1);

    // Nothing is left to tell this test when they are gone (their parent died): it watches for it.
    // Java goes first, then its watchdog: wait for all of them, not for Java alone.
    child.kill('SIGKILL');
    await waitFor(() => processesMentioning(dataDir).length === 0, 15_000, 'Java and its watchdog to exit').catch(() => undefined);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  // stop() and an aborted start settle only once Java and its watchdog have exited: nothing to wait for here.
  it('leaves no process once stop() resolves', async () => {
    const dynamodb = await startDynamoDb({ dataDir });
    expect(javaOn(dataDir)).toHaveLength(1);
    await dynamodb.stop();
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('kills Java when the start is aborted, before the start rejects', async () => {
    const abort = new AbortController();
    const starting = startDynamoDb({ dataDir, signal: abort.signal });
    await waitFor(() => javaOn(dataDir).length > 0, 30_000, 'Java to be launched');
    abort.abort();
    await expect(starting).rejects.toThrow();
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('starts on another port when its port was taken before Java could bind it', async () => {
    const blocker = createServer();
    servers.push(blocker);
    await new Promise<void>((resolve) => blocker.listen(0, '0.0.0.0', resolve));
    const taken = (blocker.address() as { port: number }).port;
    const logs: string[] = [];
    const launched: string[] = [];
    const dynamodb = await startDynamoDb({ dataDir, port: taken, log: (line) => logs.push(line), onLaunch: (endpoint) => launched.push(endpoint) });
    try {
      expect(logs).toContainEqual(expect.stringContaining(`could not start on port ${taken}`));
      expect(new URL(dynamodb.endpoint).port).not.toBe(String(taken));
      // Each launch was announced with its address (local mode builds the functions' environment
      // from it while Java starts): the last one is where it answers.
      expect(launched).toEqual([`http://127.0.0.1:${taken}`, dynamodb.endpoint]);
      const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS });
      await expect(client.send(new ListTablesCommand({}))).resolves.toMatchObject({ TableNames: [] });
      client.destroy();
      expect(javaOn(dataDir)).toHaveLength(1); // the one that could not bind is gone
    } finally {
      await dynamodb.stop();
    }
  });

  // The class archive is what makes Java start in about half the time (bench/README.md).
  it('starts from the class archive made at install, which Java takes', async () => {
    await buildClassArchive(); // present after npm install: then a no-op
    const logs: string[] = [];
    const dynamodb = await startDynamoDb({ dataDir, log: (line) => logs.push(line) });
    try {
      expect(javaOn(dataDir)[0]?.args).toMatch(/-XX:SharedArchiveFile=\S+\.jsa .*-jar \S+\/class-archives\/DynamoDBLocal\.jar/);
      expect(logs.join('\n')).not.toContain('did not take');
    } finally {
      await dynamodb.stop();
    }
  });
});

describe('DynamoDB Local\'s archivable manifest', () => {
  it('lists only the jars, from the copy\'s folder, in lines of at most 72 bytes', () => {
    const shipped = ['Manifest-Version: 1.0', 'Main-Class: Server', 'Class-Path: . log4j2.xml lib/a.jar lib/libsqlite4java-linux-amd64.so lib/b-with-a-long-name-that-folds-over-the-line.jar'].join('\r\n');
    const manifest = jarsOnlyManifest(shipped.replace(/(.{72})/g, '$1\r\n '), '../');
    expect(manifest.split('\r\n').every((line) => Buffer.byteLength(line) <= 72)).toBe(true);
    expect(manifest.replace(/\r\n /g, '')).toBe('Manifest-Version: 1.0\r\nMain-Class: Server\r\nClass-Path: ../lib/a.jar ../lib/b-with-a-long-name-that-folds-over-the-line.jar\r\n\r\n');
  });
});
