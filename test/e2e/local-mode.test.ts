/**
 * Local mode as a user meets it: the user's own functions run on their events, schedules and routes
 * (with Lambda's retries and failure destination), data
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
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import example from '../../lambase.config.js';
import { defineBackend } from '../../functions/core/config/define-backend.js';
import { PROJECT_ROOT } from '../../lib/project-root.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { api, createUser, startTestBackend, STRONG_PASSWORD, uploadFile, waitFor, type TestBackend } from '../fixtures/local-backend.js';
import { processesMentioning } from '../local/fixtures/processes.js';
import { readmeFunction } from '../fixtures/readme-function.js';

// Each test crosses several functions' cold starts (a worker compiling its TypeScript): on a busy
// 2-core machine that is up to 20 s each, so these tests get more than the project's 60 s.
describe('your own functions', { timeout: 180_000 }, () => {
  const ADMIN = { email: 'functions-admin@example.com', password: 'Admin-Password-42!' };
  const RECORDER = 'test/fixtures/functions/record-lambase-events.ts';
  let local: TestBackend;
  let eventsFile: string;
  type Line = { function: string; event?: Record<string, any>; attempt?: string };
  const lines = (): Line[] =>
    existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line) : [];
  /** Events cross the stream, the dispatcher and a cold function: seconds, more on a busy machine. */
  const EVENT_WAIT_MS = 30_000;
  const handled = (fn: string) => lines().filter((line) => line.function === fn && line.event).map((line) => line.event!);

  const readme = readmeFunction();

  beforeAll(async () => {
    eventsFile = path.join(await mkdtemp(path.join(os.tmpdir(), 'lambase-events-')), 'events.jsonl');
    const backend = defineBackend({
      ...example.definition,
      auth: { ...example.definition.auth, groups: ['editors'] },
      functions: {
        // The example's own, and the one README.md adds.
        ...readme.backend.definition.functions,
        'on-note-created': { handler: RECORDER, on: { event: 'documentCreated', collection: 'notes' } },
        // Subscribed to the same events as on-note-created: its failures must not touch that one.
        'fragile': { handler: RECORDER, on: { event: 'documentCreated', collection: 'notes' } },
        'on-pinned-update': { handler: RECORDER, on: { event: 'documentUpdated', collection: 'notes', where: { title: 'pinned' } } },
        'on-note-deleted': { handler: RECORDER, on: { event: 'documentDeleted', collection: 'notes' } },
        'on-upload': { handler: RECORDER, on: 'fileUploaded' },
        'on-sign-up': { handler: RECORDER, on: 'userSignedUp' },
        nightly: { handler: RECORDER, schedule: 'cron(0 3 * * ? *)' },
        report: { handler: RECORDER, http: { method: 'GET', path: '/reports/{reportId}', auth: 'group:editors' } },
      },
    });
    local = await startTestBackend({ backend, admin: ADMIN, functionEnvironment: { FIXTURE_EVENTS_FILE: eventsFile } });
  });
  afterAll(() => local?.cleanup());

  it('welcome: signing up puts a welcome in the new user\'s inbox within seconds, once', async () => {
    const user = await createUser(local);
    const inbox = await waitFor(async () => {
      const items = (await api<{ items: { title: string; data: Record<string, unknown> }[] }>(local.url, 'GET', '/notifications', { as: user })).body.items;
      return items.length > 0 && items;
    }, EVENT_WAIT_MS);
    expect(inbox).toEqual([expect.objectContaining({ title: expect.stringContaining('Welcome'), data: { kind: 'welcome' } })]);
    const signUps = await waitFor(() => handled('on-sign-up').filter((event) => event.user.userId === user.userId).length > 0 && handled('on-sign-up'), EVENT_WAIT_MS);
    expect(signUps.find((event) => event.user.userId === user.userId)).toEqual({
      type: 'userSignedUp',
      eventId: expect.any(String),
      occurredAt: expect.any(String),
      user: { userId: user.userId, email: user.email, createdAt: expect.any(String) },
    });
  });

  it('notify-new-post: publishing a post pushes to the topic posts with its id; a draft pushes nothing', async () => {
    const reader = await createUser(local);
    const author = await createUser(local);
    await api(local.url, 'POST', '/push/devices', { as: reader, body: { platform: 'apns', token: 'ab'.repeat(32) } });
    expect((await api(local.url, 'PUT', '/push/topics/posts', { as: reader })).status).toBe(204);
    await api(local.url, 'POST', '/data/posts', { as: author, body: { title: 'A draft', published: false } });
    const post = (await api<{ id: string }>(local.url, 'POST', '/data/posts', { as: author, body: { title: 'Hello world', published: true } })).body;
    const push = await waitFor(async () => {
      const outbox = (await api<{ push: { topic?: string; title: string; body: string; data: Record<string, unknown> }[] }>(local.url, 'GET', '/_local/outbox')).body.push;
      return outbox.find((delivery) => delivery.topic === 'posts' && delivery.data.postId === post.id);
    }, EVENT_WAIT_MS);
    expect(push).toMatchObject({ to: reader.userId, title: 'New post', body: 'Hello world', data: { postId: post.id } });
    const outbox = (await api<{ push: { body: string }[] }>(local.url, 'GET', '/_local/outbox')).body.push;
    expect(outbox.filter((delivery) => delivery.body === 'A draft')).toEqual([]);
  });

  it('stats: GET /stats counts the caller\'s notes and files, nobody else\'s', async () => {
    const user = await createUser(local);
    const other = await createUser(local);
    for (const title of ['one', 'two', 'three']) await api(local.url, 'POST', '/data/notes', { as: user, body: { title } });
    await api(local.url, 'POST', '/data/notes', { as: other, body: { title: 'not yours' } });
    await uploadFile(local, user, new TextEncoder().encode('hello'));
    const deleted = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'gone' } })).body;
    await api(local.url, 'DELETE', `/data/notes/${deleted.id}`, { as: user });
    const stats = await api(local.url, 'GET', '/stats', { as: user });
    expect(stats).toMatchObject({ status: 200, body: { notes: 3, files: 1 } });
    expect((await api(local.url, 'GET', '/stats', { as: other })).body).toEqual({ notes: 1, files: 0 });
    // The authorizer's own 401, as API Gateway answers it.
    expect(await api(local.url, 'GET', '/stats')).toMatchObject({ status: 401, body: { message: 'Unauthorized' } });
  });

  it('document events: created, updated (with its where filter) and deleted reach their functions with the documents', async () => {
    const user = await createUser(local);
    const note = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'draft' } })).body;
    await api(local.url, 'PATCH', `/data/notes/${note.id}`, { as: user, body: { title: 'still a draft' } });
    await api(local.url, 'PATCH', `/data/notes/${note.id}`, { as: user, body: { title: 'pinned' } });
    await api(local.url, 'DELETE', `/data/notes/${note.id}`, { as: user });
    const deletedEvent = await waitFor(() => handled('on-note-deleted').find((event) => event.document.id === note.id), EVENT_WAIT_MS);
    expect(deletedEvent).toMatchObject({ type: 'documentDeleted', collection: 'notes', expired: false, document: { id: note.id, title: 'pinned', owner: user.userId } });
    expect(await waitFor(() => handled('on-note-created').find((event) => event.document.id === note.id), EVENT_WAIT_MS)).toMatchObject({
      type: 'documentCreated',
      collection: 'notes',
      document: { id: note.id, title: 'draft', owner: user.userId, version: 1 },
    });
    const updates = await waitFor(() => handled('on-pinned-update').filter((event) => event.after.id === note.id).length > 0 && handled('on-pinned-update').filter((event) => event.after.id === note.id), EVENT_WAIT_MS);
    expect(updates).toEqual([expect.objectContaining({ type: 'documentUpdated', before: expect.objectContaining({ title: 'still a draft' }), after: expect.objectContaining({ title: 'pinned', version: 3 }) })]);
  });

  it('fileUploaded: a file reaches its function once it is ready', async () => {
    const user = await createUser(local);
    const file = await uploadFile(local, user, new TextEncoder().encode('uploaded'), { name: 'up.txt' });
    const event = await waitFor(() => handled('on-upload').find((candidate) => candidate.file.fileId === file.fileId), EVENT_WAIT_MS);
    expect(event).toMatchObject({ type: 'fileUploaded', file: { fileId: file.fileId, name: 'up.txt', status: 'ready', size: 8, owner: user.userId } });
  });

  it('a function that keeps throwing is retried twice, then lands in the failure destination; the others handle the same batch once', async () => {
    const user = await createUser(local);
    const failing = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'always-throw 1' } })).body;
    const neighbour = (await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: user, body: { title: 'fine' } })).body;
    const failure = await waitFor(async () => {
      const { failures } = (await api<{ failures: Record<string, any>[] }>(local.url, 'GET', '/_local/failures')).body;
      return failures.find((candidate) => candidate.functionName === 'fragile');
    }, EVENT_WAIT_MS);
    expect(failure).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 3 },
      requestPayload: { type: 'documentCreated', document: { id: failing.id } },
      responsePayload: { errorType: 'Error', errorMessage: 'fragile refuses always-throw 1' },
    });
    const attempts = lines().filter((line) => line.function === 'fragile' && line.attempt === failure.requestPayload.eventId);
    expect(attempts).toHaveLength(3);
    // on-note-created threw too (same fixture), but the neighbour was handled exactly once by each.
    await waitFor(() => handled('fragile').some((event) => event.document.id === neighbour.id), EVENT_WAIT_MS);
    for (const fn of ['on-note-created', 'fragile']) {
      expect(handled(fn).filter((event) => event.document.id === neighbour.id), fn).toHaveLength(1);
    }
  });

  it('an event delivered twice (same eventId) runs once', async () => {
    const lambda = new LambdaClient({ endpoint: local.endpoints.lambda, region: local.region, credentials: LOCAL_CREDENTIALS });
    const event = { type: 'userSignedUp', eventId: 'duplicate-1', occurredAt: new Date().toISOString(), user: { userId: 'u-dup', email: 'dup@example.com', createdAt: new Date().toISOString() } };
    for (let i = 0; i < 2; i++) {
      const answer = await lambda.send(new InvokeCommand({ FunctionName: 'on-sign-up', Payload: Buffer.from(JSON.stringify(event)) }));
      expect(answer.FunctionError).toBeUndefined();
    }
    lambda.destroy();
    expect(handled('on-sign-up').filter((candidate) => candidate.eventId === 'duplicate-1')).toHaveLength(1);
  });

  it('a schedule fires on demand via /_local/schedules/{name}/run, as EventBridge Scheduler would send it', async () => {
    const response = await fetch(`${local.url}/_local/schedules/nightly/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(handled('nightly').at(-1)).toEqual({ type: 'scheduled', schedule: 'nightly', scheduledAt: expect.any(String), eventId: expect.stringMatching(/^nightly@/), occurredAt: expect.any(String) });
    expect((await fetch(`${local.url}/_local/schedules/nope/run`, { method: 'POST' })).status).toBe(404);
  });

  it('the README\'s function, added as README.md says, runs locally: its schedule pushes the news digest', async () => {
    const reader = await createUser(local);
    const author = await createUser(local);
    await api(local.url, 'POST', '/push/devices', { as: reader, body: { platform: 'fcm', token: `digest-${reader.userId}` } });
    expect((await api(local.url, 'PUT', '/push/topics/posts', { as: reader })).status).toBe(204);
    await api(local.url, 'POST', '/data/posts', { as: author, body: { title: 'Rates cut', published: false, category: 'news' } });
    const run = await fetch(`${local.url}/_local/schedules/${readme.name}/run`, { method: 'POST' });
    expect(run.status).toBe(200);
    const outbox = (await api<{ push: { to: string; title: string; body: string; topic?: string }[] }>(local.url, 'GET', '/_local/outbox')).body.push;
    expect(outbox.find((delivery) => delivery.to === reader.userId && delivery.title === 'Today in the news')).toMatchObject({
      topic: 'posts',
      body: expect.stringContaining('Rates cut'),
    });
  });

  it('an HTTP function for a group: members (and admins) pass, others get 403 in the contract\'s shape; OpenAPI lists the config\'s HTTP functions', async () => {
    const user = await createUser(local);
    const refused = await api(local.url, 'GET', '/reports/r1', { as: user });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({ code: 'Forbidden', requestId: expect.any(String) });
    const admin = (await api<{ accessToken: string }>(local.url, 'POST', '/auth/sign-in', { body: ADMIN })).body.accessToken;
    const answered = await api(local.url, 'GET', '/reports/r1?format=csv', { as: admin });
    expect(answered).toMatchObject({ status: 200, body: { params: { reportId: 'r1' }, query: { format: 'csv' }, function: 'report' } });
    const openapi = (await api<{ paths: Record<string, Record<string, unknown>> }>(local.url, 'GET', '/openapi.json')).body;
    expect(Object.keys(openapi.paths['/stats'] ?? {})).toEqual(['get']);
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
