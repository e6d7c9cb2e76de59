/**
 * Starts DynamoDB Local as a child process and waits until it answers. It has no option to choose
 * its listening address (it binds every interface), so it gets a free random port, we only ever
 * talk to it over 127.0.0.1, and it runs without `-sharedDb`: it then keeps one database per
 * access key id, and local mode's key id is the data folder's secret (local-credentials.ts), so a
 * client from another machine sees an empty database of its own. Telemetry is always disabled.
 *
 * Java must never outlive the Node process that started it, however that one ends. It runs under a
 * small `sh` watchdog that kills it when the watchdog's stdin (a pipe from Node) closes — the
 * kernel closes it when Node dies, SIGKILL included — and a process 'exit' hook SIGKILLs their
 * whole process group synchronously when Node exits on its own (process.exit, a crash, a second
 * Ctrl-C).
 *
 * stop(), and a start that fails or is aborted, settle only once Java and its watchdog are gone:
 * the watchdog exits last (after reaping Java and its own helper), and Java's output pipes — held
 * by Java and the watchdog alone — close only when both have exited. So no caller ever sees a
 * DynamoDB Local process after they settle.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { access, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import {
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { TABLE_KEY } from '../../functions/core/table-design.js';
import { provisionTable } from '../provision-table.js';
import { ARCHIVE_REJECTED, classArchiveFor, classArchivePresent, ensureArchivableJar, type ClassArchive } from './dynamodb-class-archive.js';
import { ensureDynamoDbLocal } from './dynamodb-local-install.js';
import { freePort } from './free-port.js';
import { LOCAL_CREDENTIALS, type LocalCredentials } from './local-credentials.js';

export type LocalDynamoDb = { endpoint: string; stop(): Promise<void> };

export type StartDynamoDbOptions = {
  /** Folder for the database file; in memory when omitted. */
  dataDir?: string;
  /** The port to try first; later attempts take free ones. @default a free port */
  port?: number;
  /**
   * The key pair of every client of this database (DynamoDB Local keeps one database per key id
   * and region). @default LOCAL_CREDENTIALS
   */
  credentials?: LocalCredentials;
  /** The region of every client. @default 'us-east-1' */
  region?: string;
  /** Aborting kills Java at once and rejects the start with the signal's reason. */
  signal?: AbortSignal;
  /**
   * Called with the endpoint as Java is launched on it, long before it answers (a JVM's start is
   * seconds), so what needs only the address — the functions' environment — can be made meanwhile.
   * Called again if Java has to be launched on another port (see START_ATTEMPTS).
   */
  onLaunch?: (endpoint: string) => void;
  log?: (line: string) => void;
};

/** A busy 2-core CI machine can take this long to start a JVM. */
const READY_DEADLINE_MS = 60_000;
/** Another process may take the port between our choosing it and Java binding it: try again. */
const START_ATTEMPTS = 3;
/** From SIGTERM to SIGKILL when stopping. */
const STOP_GRACE_MS = 5_000;
/** Writing the class archive at exit: ~10 s on a busy 2-core machine (measured 9.3 s at load 9). */
const ARCHIVE_WRITE_GRACE_MS = 60_000;

/**
 * `sh -c WATCHDOG name java-args…`: starts Java (stdin from /dev/null), writes its pid to fd 3,
 * then kills it (TERM, KILL 5 s later) when stdin reaches end-of-file — Node died — or TERMs it on
 * SIGTERM (a normal stop; one that comes while Java is being launched counts too). Once Java is
 * gone it ends its stdin watcher, waits for it, and exits with Java's status: the watchdog's exit
 * means all three have exited.
 */
const WATCHDOG = `
trap 'stopping=1; kill -TERM "$java_pid" 2>/dev/null' TERM INT HUP
exec 4<&0 0</dev/null
java "$@" 3>&- 4<&- &
java_pid=$!
[ -z "$stopping" ] || kill -TERM "$java_pid"
echo "$java_pid" >&3
exec 3>&-
( trap - TERM INT HUP; while read -r _ <&4; do :; done; kill -TERM "$java_pid"; sleep 5; kill -KILL "$java_pid" ) >/dev/null 2>&1 &
watcher=$!
exec 4<&-
wait "$java_pid"; status=$?
while kill -0 "$java_pid" 2>/dev/null; do wait "$java_pid"; status=$?; done
kill "$watcher" 2>/dev/null
wait "$watcher"
exit "$status"
`;

/** Java is the one system prerequisite; say exactly what to install when it is missing. */
export class JavaMissingError extends Error {
  constructor(detail: string) {
    super(
      `DynamoDB Local needs Java 17 or newer (${detail}). Install it — Debian/Ubuntu: sudo apt-get install -y openjdk-17-jre-headless · macOS: brew install openjdk@17 — then try again.`,
    );
    this.name = 'JavaMissingError';
  }
}

/** Java refused the class archive (made by another Java, or damaged): worth a start without it. */
class ArchiveRejectedError extends Error {
  constructor(output: string) {
    super(`Java did not take DynamoDB Local's class archive (${output.split('\n').slice(0, 2).join(' ').trim()})`);
    this.name = 'ArchiveRejectedError';
  }
}

/** Java exited, or could not bind its port, before it answered: worth another try on another port. */
class EarlyExitError extends Error {
  constructor(reason: string, output: string) {
    super(`DynamoDB Local ${reason} before it was ready:\n${output.slice(-2000)}`);
    this.name = 'EarlyExitError';
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
  const emulatorDir = await ensureDynamoDbLocal(options.log);
  // An archive is made only by a Java that passed checkJava, and is keyed by that executable: with
  // one in place, the check (a JVM start of its own, 0.3–0.5 s) has been done.
  const archive = await classArchiveFor(emulatorDir);
  const archived = archive !== undefined && (await classArchivePresent(archive));
  if (!archived) await checkJava();
  const client = { credentials: options.credentials ?? LOCAL_CREDENTIALS, region: options.region ?? 'us-east-1' };
  if (options.dataDir) {
    await mkdir(options.dataDir, { recursive: true });
    await adoptSharedDatabase(options.dataDir, client);
  }
  const java = await runJava(emulatorDir, options, client, archived ? { use: archive } : undefined).catch(async (error: Error) => {
    if (!(error instanceof ArchiveRejectedError)) throw error;
    options.log?.(`${error.message}; starting without it, and making it again`);
    await rm(archive!.file, { force: true });
    return runJava(emulatorDir, options, client, undefined);
  });
  // Missing (another Java, an install that could not make it) or just rejected: made again next to
  // this start, so the next one has it; stopping this one stops that too.
  const rebuild = archive && !(await classArchivePresent(archive)) ? new AbortController() : undefined;
  const rebuilding = rebuild ? buildClassArchive({ signal: rebuild.signal }).catch(() => undefined) : undefined;
  return {
    endpoint: java.endpoint,
    async stop() {
      rebuild?.abort();
      await Promise.all([rebuilding, java.stop()]);
    },
  };
}

/**
 * Makes DynamoDB Local's class archive for the `java` on PATH (see dynamodb-class-archive.ts): one
 * run that loads what local mode uses — the table with its indexes and stream, item reads and
 * writes, a transaction, the stream's records — and writes the classes it loaded when it stops.
 * Returns the archive's path, or undefined when another process is making it now.
 */
export async function buildClassArchive(options: { signal?: AbortSignal; log?: (line: string) => void } = {}): Promise<string | undefined> {
  await checkJava();
  const emulatorDir = await ensureDynamoDbLocal(options.log);
  const archive = (await classArchiveFor(emulatorDir))!;
  if (await classArchivePresent(archive)) return archive.file;
  await ensureArchivableJar(emulatorDir);
  await mkdir(path.dirname(archive.file), { recursive: true });
  // One maker at a time per archive (two starts, a start and an install); one left by a process
  // that died is taken over after a while.
  const claim = `${archive.file}.making`;
  const claimed = await writeFile(claim, String(process.pid), { flag: 'wx' }).then(
    () => true,
    async () => Date.now() - (await stat(claim).then((info) => info.mtimeMs, () => 0)) > ARCHIVE_CLAIM_STALE_MS && (await rm(claim, { force: true }), false),
  );
  if (!claimed) return undefined;
  const partial = `${archive.file}.${process.pid}.partial`;
  try {
    const java = await runJava(emulatorDir, { signal: options.signal }, { credentials: LOCAL_CREDENTIALS, region: 'us-east-1' }, { dumpTo: partial, jar: archive.jar });
    // Stopped (local mode stopping): Java goes at once, the archive unwritten.
    const stopNow = () => void java.stop();
    options.signal?.addEventListener('abort', stopNow, { once: true });
    try {
      await exerciseForArchive(java.endpoint);
    } finally {
      await java.stop(options.signal?.aborted ? STOP_GRACE_MS : ARCHIVE_WRITE_GRACE_MS);
      options.signal?.removeEventListener('abort', stopNow);
    }
    options.signal?.throwIfAborted();
    if (!(await stat(partial).then((info) => info.size > 0, () => false))) throw new Error(`Java wrote no class archive:\n${java.output().slice(-2000)}`);
    await rename(partial, archive.file);
    return archive.file;
  } finally {
    await rm(partial, { force: true });
    await rm(claim, { force: true });
  }
}

/** A claim on making an archive older than this was left by a process that died. */
const ARCHIVE_CLAIM_STALE_MS = 5 * 60_000;

async function exerciseForArchive(endpoint: string): Promise<void> {
  const config = { endpoint, region: 'us-east-1', credentials: LOCAL_CREDENTIALS };
  const tableName = 'class-archive';
  const streamArn = await provisionTable(config, tableName);
  const client = new DynamoDBClient(config);
  const streams = new DynamoDBStreamsClient(config);
  try {
    const Key = { [TABLE_KEY.partition]: { S: 'p' }, [TABLE_KEY.sort]: { S: 's' } };
    await client.send(new PutItemCommand({ TableName: tableName, Item: { ...Key, n: { N: '1' } }, ConditionExpression: 'attribute_not_exists(#p)', ExpressionAttributeNames: { '#p': TABLE_KEY.partition } }));
    await client.send(new GetItemCommand({ TableName: tableName, Key, ConsistentRead: true }));
    await client.send(new UpdateItemCommand({ TableName: tableName, Key, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': { N: '1' } }, ReturnValues: 'ALL_NEW' }));
    await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: '#p = :p', ExpressionAttributeNames: { '#p': TABLE_KEY.partition }, ExpressionAttributeValues: { ':p': { S: 'p' } }, Limit: 20 }));
    await client.send(new TransactWriteItemsCommand({ TransactItems: [{ Delete: { TableName: tableName, Key } }] }));
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    const ShardId = StreamDescription?.Shards?.[0]?.ShardId;
    if (ShardId) {
      const { ShardIterator } = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
      await streams.send(new GetRecordsCommand({ ShardIterator }));
    }
  } finally {
    client.destroy();
    streams.destroy();
  }
}

/** Starts Java on a free port (again on another when that one was taken) and waits until it answers. */
async function runJava(
  emulatorDir: string,
  options: Pick<StartDynamoDbOptions, 'port' | 'dataDir' | 'signal' | 'onLaunch' | 'log'>,
  client: { credentials: LocalCredentials; region: string },
  classes: JavaClasses,
): Promise<JavaProcess & { endpoint: string }> {
  for (let attempt = 1; ; attempt++) {
    options.signal?.throwIfAborted();
    const port = attempt === 1 && options.port ? options.port : await freePort();
    const java = launch(emulatorDir, port, options.dataDir, classes);
    const endpoint = `http://127.0.0.1:${port}`;
    options.onLaunch?.(endpoint);
    try {
      await waitUntilReady(java, endpoint, client, options.signal);
      return { ...java, endpoint };
    } catch (error) {
      await java.stop();
      if (classes && 'use' in classes && error instanceof EarlyExitError && ARCHIVE_REJECTED.test(java.output())) throw new ArchiveRejectedError(java.output());
      if (!(error instanceof EarlyExitError) || attempt === START_ATTEMPTS || options.signal?.aborted) throw error;
      options.log?.(`DynamoDB Local could not start on port ${port} (attempt ${attempt} of ${START_ATTEMPTS}); trying another port`);
    }
  }
}

/** Java's classes: from an archive, or written to one at exit (making it), or neither. */
type JavaClasses = { use: ClassArchive } | { dumpTo: string; jar: string } | undefined;

type JavaProcess = {
  child: ChildProcess;
  /** Everything Java printed (its last 8 kB). */
  output(): string;
  /** @param graceMs from SIGTERM to SIGKILL @default STOP_GRACE_MS */
  stop(graceMs?: number): Promise<void>;
};

function launch(emulatorDir: string, port: number, dataDir: string | undefined, classes: JavaClasses): JavaProcess {
  // With an archive, sharing is required: Java would otherwise run without it silently (and
  // without its own base archive either), where this way it says so and exits (ARCHIVE_REJECTED).
  const archive = !classes
    ? ['-Xshare:auto']
    : 'use' in classes
      ? ['-Xshare:on', `-XX:SharedArchiveFile=${classes.use.file}`]
      : ['-Xshare:auto', `-XX:ArchiveClassesAtExit=${classes.dumpTo}`];
  const jar = !classes ? path.join(emulatorDir, 'DynamoDBLocal.jar') : 'use' in classes ? classes.use.jar : classes.jar;
  const javaArgs = [
    // Start fast: the emulator serves a laptop, not a benchmark.
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    ...archive,
    // Small until needed: by default the JVM reserves 1/64 of the machine's memory as its first
    // heap (370 MB on 23 GB), and the emulator keeps its data in SQLite, not on the heap. Measured:
    // 200 MB resident at start → 126 MB.
    '-Xms16m',
    '-Xmx512m',
    '-XX:ReservedCodeCacheSize=32m',
    '-Xss512k',
    `-Djava.library.path=${path.join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    jar,
    '-port',
    String(port),
    '-disableTelemetry',
    ...(dataDir ? ['-dbPath', dataDir] : ['-inMemory']),
  ];
  // Its own process group: Ctrl-C reaches Node alone, which stops everything in order.
  const child = spawn('sh', ['-c', WATCHDOG, 'lambase-dynamodb-local', ...javaArgs], {
    cwd: emulatorDir,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdin!.on('error', () => undefined); // EPIPE once the watchdog is gone
  let javaPid: number | undefined;
  let pidText = '';
  const pidPipe = child.stdio[3] as Readable;
  pidPipe.on('data', (chunk: Buffer) => (pidText += chunk.toString()));
  pidPipe.on('end', () => (javaPid = Number(pidText.trim()) || undefined));
  pidPipe.on('error', () => undefined);
  let output = '';
  const collect = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8192));
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);

  const signal = (pid: number | undefined, name: NodeJS.Signals) => {
    if (!pid) return;
    try {
      process.kill(pid, name);
    } catch {
      // already gone
    }
  };
  // The watchdog leads its own process group (detached), and Java and its watcher are in it.
  const killGroup = () => signal(child.pid && -child.pid, 'SIGKILL');
  // Synchronous, so it runs even on process.exit(): nothing async happens after 'exit'.
  process.on('exit', killGroup);
  // 'close' comes after 'exit' and after every output pipe closed: Java holds stdout and stderr.
  let closed = false;
  const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void gone.then(() => {
    closed = true;
    process.off('exit', killGroup);
  });

  return {
    child,
    output: () => output,
    async stop(graceMs = STOP_GRACE_MS) {
      // The watchdog's trap TERMs Java and the watchdog exits after it. (Closing stdin would do
      // too, but its watcher then leaves a `sleep` behind for a few seconds: that path is for
      // Node's death.) Java deaf to TERM is KILLed, which the watchdog sees like any exit; a
      // watchdog that still lingers goes with its whole group.
      child.kill('SIGTERM'); // a no-op once the watchdog has exited
      const timers = [
        setTimeout(() => !closed && signal(javaPid, 'SIGKILL'), graceMs),
        setTimeout(() => !closed && killGroup(), 2 * graceMs),
      ];
      await gone;
      for (const timer of timers) clearTimeout(timer);
      child.stdin!.destroy();
    },
  };
}

/**
 * Earlier versions ran with `-sharedDb`, one database file for every key: it becomes the database
 * of this folder's key, so an upgrade keeps a developer's data.
 */
async function adoptSharedDatabase(dataDir: string, client: { credentials: LocalCredentials; region: string }): Promise<void> {
  const shared = path.join(dataDir, 'shared-local-instance.db');
  const own = path.join(dataDir, `${client.credentials.accessKeyId}_${client.region}.db`);
  const exists = (file: string) => access(file).then(() => true, () => false);
  if ((await exists(shared)) && !(await exists(own))) await rename(shared, own);
}

async function waitUntilReady(
  java: JavaProcess,
  endpoint: string,
  client: { credentials: LocalCredentials; region: string },
  signal: AbortSignal | undefined,
): Promise<void> {
  // The first reason to give up: exit, a port it could not bind (Java then keeps running without
  // listening), the deadline, or an abort.
  let reason: Error | undefined;
  let giveUp: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    giveUp = (error) => {
      reason ??= error;
      reject(reason);
    };
  });
  failed.catch(() => undefined);
  const onExit = (code: number | null) => giveUp(new EarlyExitError(`exited (code ${code})`, java.output()));
  const onOutput = () => {
    if (/Address already in use|Failed to bind/.test(java.output())) giveUp(new EarlyExitError('could not bind its port', java.output()));
  };
  const onAbort = () => giveUp(signal!.reason as Error);
  const deadline = setTimeout(
    () => giveUp(new Error(`DynamoDB Local did not answer within ${READY_DEADLINE_MS / 1000} s:\n${java.output().slice(-2000)}`)),
    READY_DEADLINE_MS,
  );
  java.child.once('exit', onExit);
  java.child.stdout!.on('data', onOutput);
  java.child.stderr!.on('data', onOutput);
  signal?.addEventListener('abort', onAbort, { once: true });
  if (signal?.aborted) onAbort();

  // With this folder's key, so the probe opens no database of another key's.
  const probe = new DynamoDBClient({ endpoint, ...client, maxAttempts: 1 });
  try {
    for (;;) {
      try {
        await Promise.race([probe.send(new ListTablesCommand({ Limit: 1 })), failed]);
        return;
      } catch (error) {
        if (reason) throw reason;
        await Promise.race([new Promise((resolve) => setTimeout(resolve, 50)), failed]);
      }
    }
  } finally {
    clearTimeout(deadline);
    java.child.off('exit', onExit);
    java.child.stdout!.off('data', onOutput);
    java.child.stderr!.off('data', onOutput);
    signal?.removeEventListener('abort', onAbort);
    probe.destroy();
  }
}
