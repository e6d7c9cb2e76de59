/**
 * How failures reach the app: one `LambaseError` for every kind of answer (or none), retries only
 * where repeating cannot do harm, and one Idempotency-Key per create reused by its retries.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClient, LambaseError } from '../../src/index.js';
import { fakeFetch, json, networkFailure, noContent, settle, tokenAnswer } from '../fakes/fake-fetch.js';

const URL = 'http://api.test';
const FAST = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

/** A client signed in through a scripted sign-in answer; later calls go to `answer`. */
async function signedInClient(answer: Parameters<typeof fakeFetch>[0]) {
  const fake = fakeFetch((call, index) => (call.path === '/auth/sign-in' ? json(200, tokenAnswer()) : answer(call, index)));
  const client = createClient({ url: URL, fetch: fake.fetch, retry: FAST });
  await client.auth.signIn({ email: 'ada@example.com', password: 'pw' });
  const calls = () => fake.calls.filter((call) => call.path !== '/auth/sign-in');
  return { client, calls };
}

async function rejection(promise: Promise<unknown>): Promise<LambaseError> {
  const error = await promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(LambaseError);
  return error as LambaseError;
}

describe('error mapping', () => {
  it("maps the contract's error body: status, code, message, details, requestId", async () => {
    const body = { error: { code: 'ValidationFailed', message: 'title: Required', details: [{ path: 'title', message: 'Required' }], requestId: 'abc' } };
    const { client } = await signedInClient(() => json(400, body));
    const error = await rejection(client.collection('notes').create({}));
    expect(error).toMatchObject({ status: 400, code: 'ValidationFailed', message: 'title: Required', requestId: 'abc', details: [{ path: 'title', message: 'Required' }] });
    expect(error.name).toBe('LambaseError');
  });

  it("maps API Gateway's own { message } answers by status, with its request id header", async () => {
    const fake = fakeFetch(() =>
      new Response(JSON.stringify({ message: 'Too Many Requests' }), { status: 429, headers: { 'apigw-requestid': 'gw-1' } }),
    );
    const client = createClient({ url: URL, fetch: fake.fetch, retry: { retries: 0 } });
    const error = await rejection(client.collection('posts').list());
    expect(error).toMatchObject({ status: 429, code: 'TooManyRequests', message: 'Too Many Requests', requestId: 'gw-1', details: [] });

    const unauthorized = fakeFetch(() => new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401 }));
    const anonymous = createClient({ url: URL, fetch: unauthorized.fetch });
    expect(await rejection(anonymous.collection('posts').list())).toMatchObject({ status: 401, code: 'Unauthorized', message: 'Unauthorized' });
  });

  it('turns a failed connection into NetworkError and an abort into Aborted, both with status 0', async () => {
    const offline = fakeFetch(() => networkFailure());
    const client = createClient({ url: URL, fetch: offline.fetch, retry: { retries: 0 } });
    expect(await rejection(client.collection('posts').list())).toMatchObject({ status: 0, code: 'NetworkError' });

    const controller = new AbortController();
    controller.abort();
    expect(await rejection(client.collection('posts').list({ signal: controller.signal }))).toMatchObject({ status: 0, code: 'Aborted' });
  });

  it('keeps a non-JSON error page readable', async () => {
    const fake = fakeFetch(() => new Response('<html>Bad Gateway</html>', { status: 502 }));
    const client = createClient({ url: URL, fetch: fake.fetch, retry: { retries: 0 } });
    expect(await rejection(client.collection('posts').list())).toMatchObject({ status: 502, code: 'Internal', message: '<html>Bad Gateway</html>' });
  });

  it('rejects a success answer that is not JSON (a proxy page) with LambaseError too', async () => {
    const fake = fakeFetch(() => new Response('<html>Sign in to the Wi-Fi</html>', { status: 200 }));
    const client = createClient({ url: URL, fetch: fake.fetch });
    expect(await rejection(client.collection('posts').list())).toMatchObject({ status: 200, code: 'Internal' });
  });

  it('fails fast, without a request, when a signed-in-only call has no session', async () => {
    const fake = fakeFetch(() => json(200, {}));
    const client = createClient({ url: URL, fetch: fake.fetch });
    expect(await rejection(client.me.get())).toMatchObject({ status: 401, code: 'Unauthorized' });
    expect(fake.calls).toHaveLength(0);
  });
});

describe('retries', () => {
  afterEach(() => vi.useRealTimers());

  it('repeats a read after 5xx answers and network failures, then succeeds', async () => {
    const answers = [json(503, { message: 'Service Unavailable' }), networkFailure(), json(200, { id: 'n1' })];
    const { client, calls } = await signedInClient((_, index) => answers[index - 1]!);
    expect(await client.collection('notes').get('n1')).toEqual({ id: 'n1' });
    expect(calls()).toHaveLength(3);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { client, calls } = await signedInClient(() => json(500, { error: { code: 'Internal', message: 'boom', requestId: 'r' } }));
    expect(await rejection(client.collection('notes').get('n1'))).toMatchObject({ status: 500, code: 'Internal' });
    expect(calls()).toHaveLength(1 + FAST.retries);
  });

  it('never repeats a PATCH after a 5xx or a lost answer (it may have been applied)', async () => {
    const failing = await signedInClient(() => json(500, { error: { code: 'Internal', message: 'boom', requestId: 'r' } }));
    await rejection(failing.client.collection('notes').update('n1', { title: 'x' }));
    expect(failing.calls()).toHaveLength(1);

    const offline = await signedInClient(() => networkFailure());
    expect(await rejection(offline.client.collection('notes').update('n1', { title: 'x' }))).toMatchObject({ code: 'NetworkError' });
    expect(offline.calls()).toHaveLength(1);
  });

  it('repeats any call refused with 429, since a throttled call did nothing', async () => {
    const answers = [json(429, { message: 'Too Many Requests' }), json(200, { id: 'n1', title: 'x' })];
    const { client, calls } = await signedInClient((_, index) => answers[index - 1]!);
    await client.collection('notes').update('n1', { title: 'x' });
    expect(calls().map((call) => call.method)).toEqual(['PATCH', 'PATCH']);
  });

  it('repeats a create with the same Idempotency-Key; another create gets another key', async () => {
    const answers = [networkFailure(), json(502, { message: 'Bad Gateway' }), json(201, { id: 'n1' })];
    const { client, calls } = await signedInClient((call, index) => answers[index - 1] ?? json(201, { id: 'n2' }));
    await client.collection('notes').create({ title: 'Hello' });
    const keys = calls().map((call) => call.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    await client.collection('notes').create({ title: 'Second' });
    expect(calls()[3]!.headers['idempotency-key']).not.toBe(keys[0]);
  });

  it('sends an Idempotency-Key on every create route: documents, batch, uploads, push', async () => {
    const { client, calls } = await signedInClient((call) => {
      if (call.path === '/data/_batch') return json(200, { results: [] });
      if (call.path === '/storage/uploads') return json(400, { error: { code: 'ValidationFailed', message: 'no', requestId: 'r' } });
      return json(202, { notificationId: 'x', deliveries: { devices: 0, topics: 1, inbox: 0 } });
    });
    await client.batch([{ op: 'create', collection: 'notes', data: { title: 'A' } }]);
    await rejection(client.files.upload(new Blob(['hi'], { type: 'text/plain' })));
    const sent = await client.push.send({ to: { topic: 'posts' }, notification: { title: 'T', body: 'B' } });
    expect(sent.deliveries).toEqual({ devices: 0, topics: 1, inbox: 0 });
    expect(calls().map((call) => [call.path, typeof call.headers['idempotency-key']])).toEqual([
      ['/data/_batch', 'string'],
      ['/storage/uploads', 'string'],
      ['/push/send', 'string'],
    ]);
  });

  it('does not repeat a replace guarded by ifVersion (its own success would come back as 412)', async () => {
    const { client, calls } = await signedInClient(() => networkFailure());
    await rejection(client.collection('notes').replace('n1', { title: 'x' }, { ifVersion: 2 }));
    expect(calls()).toHaveLength(1);
    expect(calls()[0]!.headers['if-match']).toBe('"2"');
  });

  it('takes a repeated delete that finds nothing as done (the lost attempt deleted it)', async () => {
    const answers = [networkFailure(), json(404, { error: { code: 'NotFound', message: 'gone', requestId: 'r' } })];
    const { client, calls } = await signedInClient((_, index) => answers[index - 1]!);
    await expect(client.collection('notes').delete('n1', { ifVersion: 1 })).resolves.toBeUndefined();
    expect(calls()).toHaveLength(2);

    const first = await signedInClient(() => json(404, { error: { code: 'NotFound', message: 'gone', requestId: 'r' } }));
    expect(await rejection(first.client.collection('notes').delete('n1'))).toMatchObject({ code: 'NotFound' });
  });

  it("waits as long as the server's Retry-After says", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const answers = [json(429, { message: 'Too Many Requests' }, { 'retry-after': '2' }), json(200, { items: [], nextCursor: null })];
    const fake = fakeFetch((_, index) => answers[index]!);
    const client = createClient({ url: URL, fetch: fake.fetch, retry: FAST });
    const listed = client.collection('posts').list();
    await settle();
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(fake.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(listed).resolves.toEqual({ items: [], nextCursor: null });
    expect(fake.calls).toHaveLength(2);
  });

  it('stops waiting for a retry when the call is aborted', async () => {
    const fake = fakeFetch(() => json(503, { message: 'Service Unavailable' }));
    const client = createClient({ url: URL, fetch: fake.fetch, retry: { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const controller = new AbortController();
    const listed = client.collection('posts').list({ signal: controller.signal });
    await settle();
    controller.abort();
    expect(await rejection(listed)).toMatchObject({ code: 'Aborted' });
    expect(fake.calls).toHaveLength(1);
  });

  it('repeats reads that travel as POST (queries) and idempotent actions, but not sign-up', async () => {
    const { client, calls } = await signedInClient((call, index) =>
      index % 2 === 1 ? networkFailure() : call.path.endsWith('/query') ? json(200, { items: [], nextCursor: null }) : noContent(),
    );
    await client.collection('notes').query({ where: { pinned: true } });
    await client.notifications.markRead('x');
    expect(calls().map((call) => call.path)).toEqual(['/data/notes/query', '/data/notes/query', '/notifications/x/read', '/notifications/x/read']);

    const signUp = fakeFetch(() => networkFailure());
    const anonymous = createClient({ url: URL, fetch: signUp.fetch, retry: FAST });
    await rejection(anonymous.auth.signUp({ email: 'a@example.com', password: 'pw' }));
    expect(signUp.calls).toHaveLength(1);
  });
});
