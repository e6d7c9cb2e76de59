/**
 * Local mode as a user meets it: events reach custom functions with Lambda's semantics, data
 * survives a restart and `--reset` wipes it, the gateway answers like API Gateway, and Ctrl-C
 * (during startup too, or twice) leaves no process behind. Whatever a failing test started is
 * stopped in afterEach.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CognitoIdentityProviderClient, InitiateAuthCommand } from '@aws-sdk/client-cognito-identity-provider';
import example from '../../lambase.config.js';
import { defineBackend } from '../../functions/core/config/define-backend.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';
import { api, createUser, startTestBackend, STRONG_PASSWORD, type TestBackend } from '../fixtures/local-backend.js';
import { processesMentioning } from '../local/fixtures/processes.js';

const waitFor = async <T>(probe: () => T | undefined | false, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('the event pump', () => {
  let local: TestBackend;
  let eventsFile: string;
  const events = () =>
    existsSync(eventsFile)
      ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, any>)
      : [];
  const records = () => events().flatMap((event) => (event.Records ?? []) as Record<string, any>[]);

  beforeAll(async () => {
    eventsFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'lambase-events-')), 'events.jsonl');
    const backend = defineBackend({
      ...example.definition,
      functions: {
        audit: { handler: 'test/fixtures/functions/record-events.ts', trigger: { type: 'documents', collection: 'notes', events: ['create', 'update'] } },
        nightly: { handler: 'test/fixtures/functions/record-events.ts', trigger: { type: 'schedule', expression: 'cron(0 3 * * ? *)' } },
      },
    });
    local = await startTestBackend({ backend, functionEnvironment: { FIXTURE_EVENTS_FILE: eventsFile } });
  });
  afterAll(() => local?.cleanup());

  it('delivers a collection\'s stream records in Lambda\'s shape, filtered to that collection', async () => {
    const user = await createUser(local);
    const note = (await api(local.url, 'POST', '/data/notes', { as: user, body: { title: 'hello' } })).body as { id: string };
    await api(local.url, 'POST', '/data/posts', { as: user, body: { title: 'not for audit', published: true } });
    const record = await waitFor(() => records().find((candidate) => candidate.dynamodb?.NewImage?.id?.S === note.id));
    expect(record).toMatchObject({
      eventName: 'INSERT',
      eventSource: 'aws:dynamodb',
      eventVersion: '1.1',
      awsRegion: 'us-east-1',
      eventSourceARN: expect.stringMatching(/^arn:aws:dynamodb:.*\/stream\//),
      dynamodb: {
        Keys: { pk: { S: `DOC#notes#${note.id}` }, sk: { S: 'DOC' } },
        NewImage: { collection: { S: 'notes' }, data: { M: { title: { S: 'hello' } } } },
        StreamViewType: 'NEW_AND_OLD_IMAGES',
        ApproximateCreationDateTime: expect.any(Number),
      },
    });
    await api(local.url, 'PATCH', `/data/notes/${note.id}`, { as: user, body: { title: 'changed' } });
    const modify = await waitFor(() => records().find((candidate) => candidate.eventName === 'MODIFY' && candidate.dynamodb.NewImage.id.S === note.id));
    expect(modify.dynamodb.OldImage.data.M.title.S).toBe('hello');
    expect(records().some((candidate) => candidate.dynamodb.NewImage?.collection?.S === 'posts')).toBe(false);
  });

  it('retries a batch from its first failed record when the function reports partial failures', async () => {
    const user = await createUser(local);
    const failing = (await api(local.url, 'POST', '/data/notes', { as: user, body: { title: 'fail-once please' } })).body as { id: string };
    const deliveries = await waitFor(() => {
      const seen = records().filter((candidate) => candidate.dynamodb.NewImage?.id?.S === failing.id);
      return seen.length >= 2 ? seen : undefined;
    });
    expect(deliveries).toHaveLength(2);
    expect(deliveries[0]!.dynamodb.SequenceNumber).toBe(deliveries[1]!.dynamodb.SequenceNumber);
  });

  it('runs a scheduled function on demand with EventBridge\'s event', async () => {
    const response = await fetch(`${local.url}/_local/schedules/nightly/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(events().at(-1)).toMatchObject({ 'detail-type': 'Scheduled Event', source: 'aws.events', resources: [expect.stringContaining('rule/nightly')] });
    expect((await fetch(`${local.url}/_local/schedules/nope/run`, { method: 'POST' })).status).toBe(404);
  });
});

describe('the local gateway', () => {
  let local: TestBackend;
  beforeAll(async () => {
    local = await startTestBackend({ throttle: { rateLimit: 1, burstLimit: 3 } });
  });
  afterAll(() => local?.cleanup());

  it('answers an unknown route with 404 in the contract\'s shape, and every response carries request ids', async () => {
    const response = await fetch(`${local.url}/no/such/route`);
    const body = (await response.json()) as { error: { code: string; requestId: string } };
    expect(response.status).toBe(404);
    expect(body.error.code).toBe('NotFound');
    expect(response.headers.get('x-request-id')).toBe(body.error.requestId);
    expect(response.headers.get('apigw-requestid')).toBe(body.error.requestId);
    const outbox = await fetch(`${local.url}/_local/outbox`);
    expect(outbox.status).toBe(200);
    expect(outbox.headers.get('x-request-id')).toMatch(/\S/); // the local-only routes too
  });

  it('answers CORS preflights with the contract\'s headers', async () => {
    const response = await fetch(`${local.url}/data/notes`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toBe('authorization,content-type,if-match,idempotency-key');
    const actual = await fetch(`${local.url}/openapi.json`, { headers: { origin: 'http://localhost:5173' } });
    expect(actual.headers.get('access-control-expose-headers')).toBe('etag,x-request-id');
  });

  it('throttles public auth routes with their own, tighter bucket', async () => {
    // The auth bucket holds 10 and refills 5 a second: however slowly the burst arrives on a busy
    // machine, no more than 10 + 5 × (seconds elapsed) get through, and 40 at once cannot all pass.
    const startedAt = performance.now();
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        fetch(`${local.url}/auth/forgot-password`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@example.com' }) }).then((response) => response.status),
      ),
    );
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    expect(statuses.filter((status) => status === 202).length).toBeLessThanOrEqual(10 + Math.ceil(5 * elapsedSeconds));
    expect(statuses).toContain(429);
  });

  it('throttles like API Gateway, with its fixed body', async () => {
    const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`${local.url}/openapi.json`).then(async (response) => ({ status: response.status, body: await response.text(), id: response.headers.get('x-request-id') }))));
    const throttled = statuses.filter((response) => response.status === 429);
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled[0]).toMatchObject({ body: '{"message":"Too Many Requests"}', id: null });
  });
});

describe('persistence', () => {
  const running = new Set<TestBackend>();
  const start = async (options: Parameters<typeof startTestBackend>[0]) => {
    const backend = await startTestBackend(options);
    running.add(backend);
    return { ...backend, cleanup: async () => (running.delete(backend), backend.cleanup()) };
  };
  afterEach(async () => {
    for (const backend of running) await backend.cleanup();
    running.clear();
  });

  it('keeps users and documents across a restart, and --reset wipes them', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-restart-'));
    try {
      const first = await start({ dataDir });
      const user = await createUser(first);
      const note = (await api(first.url, 'POST', '/data/notes', { as: user, body: { title: 'survives' } })).body as { id: string };
      const { userPoolId, userPoolClientId } = first;
      await first.cleanup();

      const second = await start({ dataDir });
      expect([second.userPoolId, second.userPoolClientId]).toEqual([userPoolId, userPoolClientId]);
      const signIn = () =>
        new CognitoIdentityProviderClient({ endpoint: second.endpoints.cognito, region: second.region, credentials: second.credentials }).send(
          new InitiateAuthCommand({ ClientId: second.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.email, PASSWORD: STRONG_PASSWORD } }),
        );
      const token = (await signIn()).AuthenticationResult!.AccessToken!;
      expect((await api(second.url, 'GET', `/data/notes/${note.id}`, { as: token })).body).toMatchObject({ title: 'survives' });
      expect(second.outbox.toJSON().emails.some((mail) => mail.to === user.email)).toBe(true);
      await second.cleanup();

      const third = await start({ dataDir, reset: true });
      await expect(
        new CognitoIdentityProviderClient({ endpoint: third.endpoints.cognito, region: third.region, credentials: second.credentials }).send(
          new InitiateAuthCommand({ ClientId: third.userPoolClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.email, PASSWORD: STRONG_PASSWORD } }),
        ),
      ).rejects.toMatchObject({ name: 'NotAuthorizedException' });
      expect(third.outbox.toJSON().emails).toEqual([]);
      await third.cleanup();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('npm start as a process', () => {
  const children: ChildProcess[] = [];
  const dataDirs: string[] = [];
  afterEach(async () => {
    // A test that failed before its own kill: stop the CLI (its Java dies with it), then anything left.
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
    for (const dataDir of dataDirs.splice(0)) {
      for (const { pid } of processesMentioning(dataDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await rm(dataDir, { recursive: true, force: true });
    }
  });
  const tempDir = async (prefix: string) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), prefix));
    dataDirs.push(dataDir);
    return dataDir;
  };
  const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/cli.ts', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    return child;
  };
  const output = (child: ReturnType<typeof cli>) => {
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    return () => text;
  };
  const exitOf = (child: ReturnType<typeof cli>) =>
    new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
  const javaOn = (dataDir: string) => processesMentioning(dataDir).filter((candidate) => candidate.args.startsWith('java '));

  it('prints where everything is and its time to ready, and Ctrl-C leaves no process behind', async () => {
    const dataDir = await tempDir('lambase-cli-');
    const child = cli(['--port', '0', '--data-dir', dataDir]);
    const text = output(child);
    const exited = exitOf(child);
    await waitFor(() => text().includes('Press Ctrl-C'), 30_000);
    expect(text()).toMatch(/ready in \d+\.\d s/);
    expect(text()).toMatch(/API +http:\/\/127\.0\.0\.1:\d+/);
    expect(text()).toContain('/_local/outbox');
    expect(javaOn(dataDir)).toHaveLength(1); // DynamoDB Local runs on the data folder
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('stops what has started when Ctrl-C comes during startup', async () => {
    const dataDir = await tempDir('lambase-cli-early-');
    const child = cli(['--port', '0', '--data-dir', dataDir]);
    const text = output(child);
    const exited = exitOf(child);
    await waitFor(() => javaOn(dataDir).length > 0, 30_000); // the emulators are starting
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(text()).not.toContain('Press Ctrl-C');
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('exits at once on a second Ctrl-C, and still leaves no process behind', async () => {
    const dataDir = await tempDir('lambase-cli-twice-');
    const child = cli(['--port', '0', '--data-dir', dataDir]);
    const text = output(child);
    const exited = exitOf(child);
    await waitFor(() => text().includes('Press Ctrl-C'), 30_000);
    child.kill('SIGINT');
    await waitFor(() => text().includes('stopping'), 5_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(text()).toContain('exiting now');
    await waitFor(() => processesMentioning(dataDir).length === 0, 10_000).catch(() => undefined);
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('says in one line what to do when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    try {
      await new Promise((resolve) => blocker.once('listening', resolve));
      const port = (blocker.address() as { port: number }).port;
      const dataDir = await tempDir('lambase-port-');
      const child = cli(['--port', String(port), '--data-dir', dataDir]);
      const text = output(child);
      expect(await exitOf(child)).toBe(1);
      expect(text()).toContain(`Port ${port} is already in use: stop what uses it, or run npm start -- --port ${port + 1}`);
    } finally {
      blocker.close();
    }
  });

  it('says in one line what to install when Java is missing', async () => {
    const dataDir = await tempDir('lambase-nojava-');
    // A PATH with node on it and no java.
    const bin = path.join(dataDir, 'bin');
    await mkdir(bin);
    await symlink(process.execPath, path.join(bin, 'node'));
    const child = cli(['--port', '0', '--data-dir', dataDir], { ...process.env, PATH: bin });
    const text = output(child);
    expect(await exitOf(child)).toBe(1);
    expect(text()).toMatch(/DynamoDB Local needs Java 17 or newer .* apt-get install -y openjdk-17-jre-headless/);
  });
});
