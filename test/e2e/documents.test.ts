/**
 * The example collections behave as docs/api/documents.md says, over HTTP, against local mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUser, startTestBackend, type TestBackend, type TestUser } from '../fixtures/local-backend.js';

type Doc = Record<string, unknown> & { id: string; version: number; owner: string };
type Page = { items: Doc[]; nextCursor: string | null };

let local: TestBackend;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  local = await startTestBackend({ functionEnvironment: { LAMBASE_REPORT_USAGE: 'true' } });
  [alice, bob] = await Promise.all([createUser(local), createUser(local)]);
});
afterAll(() => local?.cleanup());

describe('notes over HTTP', () => {
  it('create, read, patch with If-Match, list, delete', async () => {
    const created = await api<Doc>(local.url, 'POST', '/data/notes', { as: alice, body: { title: 'First', tags: ['x'] } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ title: 'First', pinned: false, owner: alice.userId, version: 1 });
    const id = created.body.id;
    expect((await api(local.url, 'GET', `/data/notes/${id}`, { as: alice })).body).toEqual(created.body);
    const patched = await api<Doc>(local.url, 'PATCH', `/data/notes/${id}`, { as: alice, body: { pinned: true }, headers: { 'if-match': '"1"' } });
    expect(patched).toMatchObject({ status: 200, body: { pinned: true, version: 2 } });
    expect((await api(local.url, 'PATCH', `/data/notes/${id}`, { as: alice, body: { pinned: false }, headers: { 'if-match': '"1"' } })).status).toBe(412);
    const page = (await api<Page>(local.url, 'GET', '/data/notes', { as: alice })).body;
    expect(page.items.map((note) => note.id)).toContain(id);
    expect((await api(local.url, 'DELETE', `/data/notes/${id}`, { as: alice })).status).toBe(204);
    expect((await api(local.url, 'GET', `/data/notes/${id}`, { as: alice })).status).toBe(404);
  });

  it('another user\'s note id is 404 on every route, and lists never show it', async () => {
    const note = (await api<Doc>(local.url, 'POST', '/data/notes', { as: alice, body: { title: 'private' } })).body;
    for (const [method, body] of [['GET'], ['PATCH', { title: 'x' }], ['PUT', { title: 'x' }], ['DELETE']] as const) {
      const response = await api(local.url, method, `/data/notes/${note.id}`, { as: bob, body });
      expect(response.status, method).toBe(404);
      expect(response.body).toMatchObject({ error: { code: 'NotFound', requestId: response.headers.get('x-request-id') } });
    }
    const bobs = (await api<Page>(local.url, 'GET', '/data/notes?limit=100', { as: bob })).body;
    expect(bobs.items.some((item) => item.id === note.id)).toBe(false);
    expect((await api(local.url, 'GET', '/data/notes')).status).toBe(401);
  });
});

describe('posts over HTTP', () => {
  it('are public to read, need a token to create, and byCategory pages newest first with one Query each', async () => {
    const category = `e2e-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      expect((await api(local.url, 'POST', '/data/posts', { as: i % 2 ? alice : bob, body: { title: `p${i}`, published: true, category } })).status).toBe(201);
    }
    expect((await api(local.url, 'POST', '/data/posts', { body: { title: 'anon', published: true } })).status).toBe(401);
    const titles: string[] = [];
    let cursor: string | null = null;
    do {
      const response: Awaited<ReturnType<typeof api<Page>>> = await api<Page>(local.url, 'POST', '/data/posts/query', {
        body: { where: { category }, limit: 2, ...(cursor ? { cursor } : {}) },
      });
      expect(response.status).toBe(200);
      // One Query per page (a cold function also reads its cursor key once).
      expect(response.headers.get('x-lambase-dynamodb')).toMatch(/[ ,]Query=1(,|$)/);
      titles.push(...response.body.items.map((post) => post.title as string));
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(titles).toEqual(['p4', 'p3', 'p2', 'p1', 'p0']);
    const unsupported = await api(local.url, 'POST', '/data/posts/query', { body: { where: { title: 'p1' } } });
    expect(unsupported).toMatchObject({ status: 400, body: { error: { code: 'UnsupportedQuery', message: expect.stringContaining('byCategory') } } });
  });
});

describe('sessions over HTTP', () => {
  it('accept a past expiry but never return the expired session', async () => {
    const past = await api<Doc>(local.url, 'POST', '/data/sessions', { as: alice, body: { device: 'old', expiresAt: '2001-01-01T00:00:00Z' } });
    expect(past.status).toBe(201);
    expect((await api(local.url, 'GET', `/data/sessions/${past.body.id}`, { as: alice })).status).toBe(404);
    expect((await api<Page>(local.url, 'GET', '/data/sessions', { as: alice })).body.items).toEqual([]);
  });
});

describe('batches over HTTP', () => {
  it('a batch whose last operation fails leaves nothing written', async () => {
    const before = (await api<Page>(local.url, 'GET', '/data/notes?limit=100', { as: bob })).body.items.length;
    const response = await api(local.url, 'POST', '/data/_batch', {
      as: bob,
      body: { operations: [{ op: 'create', collection: 'notes', data: { title: 'a' } }, { op: 'create', collection: 'notes', data: { title: '' } }] },
    });
    expect(response).toMatchObject({ status: 409, body: { error: { code: 'TransactionCanceled', details: [{ index: 1 }] } } });
    expect((await api<Page>(local.url, 'GET', '/data/notes?limit=100', { as: bob })).body.items.length).toBe(before);
  });
});
