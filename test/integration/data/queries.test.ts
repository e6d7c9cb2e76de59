import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as createDocument } from '../../../functions/data/create-document.js';
import { handler as listDocuments } from '../../../functions/data/list-documents.js';
import { handler as queryDocuments } from '../../../functions/data/query-documents.js';
type Claims = Record<string, unknown>;
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';

type Doc = Record<string, unknown> & { id: string; createdAt: string; owner: string };
type Page = { items: Doc[]; nextCursor: string | null };
const claims = (sub: string) => ({ sub, username: sub, token_use: 'access' });
const alice = claims(`alice-${randomUUID()}`);
const bob = claims(`bob-${randomUUID()}`);
const category = `cat-${randomUUID().slice(0, 8)}`;

const create = (collection: string, body: unknown, who: Claims) =>
  callHttp(createDocument, { method: 'POST', path: `/data/${collection}`, routeKey: 'POST /data/{collection}', pathParameters: { collection }, json: body, claims: who });
const query = (collection: string, body: unknown, who?: Claims) =>
  callHttp(queryDocuments, { method: 'POST', path: `/data/${collection}/query`, routeKey: 'POST /data/{collection}/query', pathParameters: { collection }, json: body, claims: who });
const list = (collection: string, who?: Claims, rawQueryString = '') =>
  callHttp(listDocuments, { path: `/data/${collection}`, routeKey: 'GET /data/{collection}', pathParameters: { collection }, claims: who, rawQueryString });
const callsOf = (response: HttpResponse) => Number(/calls=(\d+)/.exec(response.headers['x-lambase-dynamodb'] ?? '')?.[1]);

beforeAll(async () => {
  process.env.LAMBASE_REPORT_USAGE = 'true';
  for (let i = 0; i < 7; i++) {
    await create('posts', { title: `post ${i}`, published: true, category }, i % 2 ? alice : bob);
    await new Promise((resolve) => setTimeout(resolve, 3)); // distinct createdAt
  }
  await create('posts', { title: 'elsewhere', published: true, category: `${category}-other` }, alice);
  for (const [title, pinned] of [['a', true], ['b', false], ['c', true], ['d', false], ['e', false], ['f', true]] as const) {
    await create('notes', { title, pinned }, alice);
  }
  await create('notes', { title: 'bob pinned', pinned: true }, bob);
  await list('posts', alice); // load the cursor key once, so per-page counts below are steady
});

describe('queries served by a declared index', () => {
  it('returns a category newest first, paginated, with one Query per page', async () => {
    const seen: Doc[] = [];
    let cursor: string | undefined;
    const calls: number[] = [];
    do {
      const response = await query('posts', { where: { category }, limit: 3, ...(cursor ? { cursor } : {}) }, alice);
      expect(response.statusCode).toBe(200);
      const page = response.body as Page;
      expect(page.items.length).toBeGreaterThan(0);
      seen.push(...page.items);
      calls.push(callsOf(response));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen.map((post) => post.title)).toEqual(['post 6', 'post 5', 'post 4', 'post 3', 'post 2', 'post 1', 'post 0']);
    expect(calls).toEqual([1, 1, 1]);
  });

  it('orders ascending on request, applies a sort-key condition, and works anonymously for public posts', async () => {
    const page = (await query('posts', { where: { category }, order: 'asc', limit: 2 })).body as Page;
    expect(page.items.map((post) => post.title)).toEqual(['post 0', 'post 1']);
    const all = ((await query('posts', { where: { category }, limit: 100 })).body as Page).items;
    const middle = all[3]!.createdAt;
    const later = (await query('posts', { where: { category, createdAt: { gt: middle } } })).body as Page;
    expect(later.items.map((post) => post.title)).toEqual(['post 6', 'post 5', 'post 4']);
  });

  it('refuses a query no index serves, naming the indexes that exist', async () => {
    const response = await query('posts', { where: { title: 'post 1' } }, alice);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'UnsupportedQuery', message: expect.stringContaining('byCategory') } });
    expect((await query('posts', { where: { category }, orderBy: 'title' }, alice)).body).toMatchObject({ error: { code: 'UnsupportedQuery' } });
    expect((await query('posts', { where: { nope: 1 } }, alice)).body).toMatchObject({ error: { code: 'ValidationFailed' } });
  });
});

describe('queries within the caller\'s own documents', () => {
  it('filters any field inside the caller\'s partition, never showing others\' notes', async () => {
    const response = await query('notes', { where: { pinned: true } }, alice);
    const page = response.body as Page;
    expect(page.items.map((note) => note.title)).toEqual(['f', 'c', 'a']);
    expect(callsOf(response)).toBe(1);
    expect(page.items.every((note) => note.owner === alice.sub)).toBe(true);
  });

  it('never returns an empty page while more results exist', async () => {
    let cursor: string | undefined;
    const titles: string[] = [];
    do {
      const page = (await query('notes', { where: { pinned: true }, limit: 1, ...(cursor ? { cursor } : {}) }, alice)).body as Page;
      expect(page.items).toHaveLength(1);
      titles.push(...page.items.map((note) => note.title as string));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(titles).toEqual(['f', 'c', 'a']);
  });

  it('orders by updatedAt on request, and refuses other orders', async () => {
    expect((await query('notes', { orderBy: 'updatedAt', limit: 2 }, alice)).statusCode).toBe(200);
    expect((await query('notes', { orderBy: 'title' }, alice)).body).toMatchObject({ error: { code: 'UnsupportedQuery' } });
  });

  it('lets a caller scope a public collection to one owner', async () => {
    const page = (await query('posts', { where: { owner: alice.sub, category } }, bob)).body as Page;
    expect(page.items.map((post) => post.title)).toEqual(['post 5', 'post 3', 'post 1']);
  });
});

describe('cursors', () => {
  let cursor: string;
  beforeAll(async () => {
    cursor = ((await list('notes', alice, 'limit=2')).body as Page).nextCursor!;
    expect(cursor).toEqual(expect.any(String));
  });

  it('continue the list where the last page ended', async () => {
    const next = (await list('notes', alice, `limit=2&cursor=${encodeURIComponent(cursor)}`)).body as Page;
    expect(next.items).toHaveLength(2);
  });

  it('refuse a tampered cursor with 400', async () => {
    const [payload, signature] = cursor.split('.');
    const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { p: Record<string, string> };
    decoded.p.ownerKey = `notes#${bob.sub}`;
    const forged = `${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`;
    for (const bad of [forged, `${cursor}x`, 'garbage', `${payload}.`]) {
      const response = await list('notes', alice, `cursor=${encodeURIComponent(bad)}`);
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'cursor' }] } });
    }
  });

  it('refuse another caller\'s cursor and a cursor from another query', async () => {
    expect((await list('notes', bob, `cursor=${encodeURIComponent(cursor)}`)).statusCode).toBe(400);
    expect((await query('notes', { where: { pinned: true }, cursor }, alice)).statusCode).toBe(400);
  });
});

describe('queries DynamoDB would refuse are 400, not 500', () => {
  it.each([
    ['a timestamp compared with a number', { where: { createdAt: { gt: 5 } } }],
    ['a range operator on a boolean', { where: { pinned: { gt: true } } }],
    ['between with its bounds reversed', { where: { createdAt: { between: ['2030-01-01T00:00:00Z', '2020-01-01T00:00:00Z'] } } }],
    ['between with bounds of two types', { where: { title: { between: ['a', 1] } } }],
  ])('%s', async (_name, body) => {
    const response = await query('notes', body, alice);
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: expect.stringMatching(/^where\./) }] } });
  });

  it('scopes an admin\'s filtered query on an owner-only collection to the admin\'s own notes', async () => {
    const admin = { sub: `admin-${randomUUID()}`, username: 'admin', 'cognito:groups': ['admin'], token_use: 'access' };
    await create('notes', { title: 'admin pinned', pinned: true }, admin);
    const page = (await query('notes', { where: { pinned: true } }, admin)).body as Page;
    expect(page.items.map((note) => note.title)).toEqual(['admin pinned']);
    const aliceOnly = (await query('notes', { where: { owner: alice.sub, pinned: true } }, admin)).body as Page;
    expect(aliceOnly.items.map((note) => note.title)).toEqual(['f', 'c', 'a']);
  });
});
