/**
 * Starts DynamoDB Local as a child process and waits until it answers. It has no option to choose
 * its listening address (it binds every interface), so it gets a free random port and we only
 * ever talk to it over 127.0.0.1. Telemetry is always disabled.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ensureDynamoDbLocal } from './dynamodb-local-install.js';
import { freePort, LOCAL_CREDENTIALS, stopChild } from './process-tools.js';

export type LocalDynamoDb = { endpoint: string; stop(): Promise<void> };

export type StartDynamoDbOptions = {
  /** Folder for the database file; in memory when omitted. */
  dataDir?: string;
  log?: (line: string) => void;
};

/** Java is the one system prerequisite; say exactly what to install when it is missing. */
export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer (${detail}). Install it — Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless · macOS: brew install openjdk@17 — then try again.`,
    );
    this.name = 'JavaMissingError';
  }
}

export async function checkJava(): Promise<void> {
  let output: string;
  try {
    const { stderr, stdout } = await promisify(execFile)('java', ['-version']);
    output = `${stderr}${stdout}`;
  } catch {
    throw new JavaMissingError('no `java` command on PATH');
  }
  const major = Number(/version "(\d+)(?:\.(\d+))?/.exec(output)?.[1] ?? 0);
  if (major < 17) throw new JavaMissingError(`found Java ${major || 'of unknown version'}`);
}

export async function startDynamoDb(options: StartDynamoDbOptions = {}): Promise<LocalDynamoDb> {
  await checkJava();
  const emulatorDir = await ensureDynamoDbLocal(options.log);
  const port = await freePort();
  const storage = options.dataDir ? ['-dbPath', options.dataDir] : ['-inMemory'];
  if (options.dataDir) await mkdir(options.dataDir, { recursive: true });
  const child = spawn(
    'java',
    [
      // Start fast: the emulator serves a laptop, not a benchmark.
      '-XX:TieredStopAtLevel=1',
      '-XX:+UseSerialGC',
      '-Xshare:auto',
      `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      path.join(emulatorDir, 'DynamoDBLocal.jar'),
      '-port',
      String(port),
      '-sharedDb',
      '-disableTelemetry',
      ...storage,
    ],
    { cwd: emulatorDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(child, endpoint);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, stop: () => stopChild(child) };
}

async function waitUntilReady(child: ChildProcess, endpoint: string): Promise<void> {
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`DynamoDB Local exited (code ${code}) before it was ready:\n${output.slice(-2000)}`))),
  );
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS, maxAttempts: 1 });
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      try {
        await Promise.race([client.send(new ListTablesCommand({ Limit: 1 })), exited]);
        return;
      } catch (error) {
        if (child.exitCode !== null || Date.now() > deadline) throw error;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), exited]);
      }
    }
  } finally {
    client.destroy();
  }
}
