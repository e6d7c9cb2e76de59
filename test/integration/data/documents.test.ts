import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { handler as createDocument } from '../../../functions/data/create-document.js';
import { handler as getDocument } from '../../../functions/data/get-document.js';
import { handler as listDocuments } from '../../../functions/data/list-documents.js';
import { handler as updateDocument } from '../../../functions/data/update-document.js';
import { handler as replaceDocument } from '../../../functions/data/replace-document.js';
import { handler as deleteDocument } from '../../../functions/data/delete-document.js';
type Claims = Record<string, unknown>;
import { callHttp, type HttpResponse } from '../../fixtures/lambda.js';

type Doc = Record<string, unknown> & { id: string; owner: string; version: number; createdAt: string; updatedAt: string };
const userClaims = (sub: string, groups: string[] = []) => ({ sub, username: sub, 'cognito:groups': groups, token_use: 'access' });
const alice = userClaims(`alice-${randomUUID()}`);
const bob = userClaims(`bob-${randomUUID()}`);

const create = (collection: string, body: unknown, claims?: Claims, headers: Record<string, string> = {}) =>
  callHttp(createDocument, { method: 'POST', path: `/data/${collection}`, routeKey: 'POST /data/{collection}', pathParameters: { collection }, json: body, claims, headers });
const get = (collection: string, id: string, claims?: Claims) =>
  callHttp(getDocument, { path: `/data/${collection}/${id}`, routeKey: 'GET /data/{collection}/{id}', pathParameters: { collection, id }, claims });
const list = (collection: string, claims?: Claims, rawQueryString = '') =>
  callHttp(listDocuments, { path: `/data/${collection}`, routeKey: 'GET /data/{collection}', pathParameters: { collection }, claims, rawQueryString });
const patch = (collection: string, id: string, body: unknown, claims?: Claims, headers: Record<string, string> = {}) =>
  callHttp(updateDocument, { method: 'PATCH', path: `/data/${collection}/${id}`, routeKey: 'PATCH /data/{collection}/{id}', pathParameters: { collection, id }, json: body, claims, headers });
const put = (collection: string, id: string, body: unknown, claims?: Claims, headers: Record<string, string> = {}) =>
  callHttp(replaceDocument, { method: 'PUT', path: `/data/${collection}/${id}`, routeKey: 'PUT /data/{collection}/{id}', pathParameters: { collection, id }, json: body, claims, headers });
const remove = (collection: string, id: string, claims?: Claims, headers: Record<string, string> = {}) =>
  callHttp(deleteDocument, { method: 'DELETE', path: `/data/${collection}/${id}`, routeKey: 'DELETE /data/{collection}/{id}', pathParameters: { collection, id }, claims, headers });

const errorCode = (response: HttpResponse) => (response.body as { error?: { code: string } })?.error?.code;

describe('documents: create and read', () => {
  it('creates a note with server-set fields, defaults and an ETag, and reads it back', async () => {
    const created = await create('notes', { title: 'Groceries', tags: ['home'] }, alice);
    expect(created.statusCode).toBe(201);
    const note = created.body as Doc;
    expect(note).toMatchObject({ title: 'Groceries', tags: ['home'], pinned: false, owner: alice.sub, version: 1 });
    expect(note.id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
    expect(note.createdAt).toBe(note.updatedAt);
    expect(created.headers.etag).toBe('"1"');
    const read = await get('notes', note.id, alice);
    expect(read).toMatchObject({ statusCode: 200, body: note, headers: { etag: '"1"' } });
  });

  it('refuses reserved fields, unknown fields and schema violations with 400 naming the field', async () => {
    expect(await create('notes', { title: 'x', owner: 'me' }, alice)).toMatchObject({
      statusCode: 400,
      body: { error: { code: 'ValidationFailed', details: [{ path: 'owner', message: 'Set by the server' }] } },
    });
    expect(await create('notes', { title: 'x', colour: 'red' }, alice)).toMatchObject({
      statusCode: 400,
      body: { error: { details: [{ path: 'colour', message: 'Unknown field: colour' }] } },
    });
    expect(await create('notes', { body: 'no title' }, alice)).toMatchObject({
      statusCode: 400,
      body: { error: { details: [{ path: 'title', message: 'Required' }] } },
    });
    const tooMany = await create('notes', { title: 'x', tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, alice);
    expect(tooMany).toMatchObject({ statusCode: 400, body: { error: { details: [{ path: 'tags' }] } } });
  });

  it('answers 404 for an unknown collection and 401 for an anonymous caller of a non-public rule', async () => {
    expect(errorCode(await create('nope', { title: 'x' }, alice))).toBe('NotFound');
    expect((await create('notes', { title: 'x' })).statusCode).toBe(401);
    expect((await list('notes')).statusCode).toBe(401);
  });

  it('lets anyone read public posts, and only authenticated users create them', async () => {
    const post = (await create('posts', { title: 'Hello', published: true, category: 'news' }, alice)).body as Doc;
    expect((await get('posts', post.id)).statusCode).toBe(200);
    expect((await create('posts', { title: 'x', published: true })).statusCode).toBe(401);
  });
});

describe('documents: another user\'s note is invisible', () => {
  let note: Doc;
  beforeAll(async () => {
    note = (await create('notes', { title: 'Secret' }, alice)).body as Doc;
  });

  it('is 404 on every route for another user', async () => {
    expect((await get('notes', note.id, bob)).statusCode).toBe(404);
    expect((await patch('notes', note.id, { title: 'mine' }, bob)).statusCode).toBe(404);
    expect((await put('notes', note.id, { title: 'mine' }, bob)).statusCode).toBe(404);
    expect((await remove('notes', note.id, bob)).statusCode).toBe(404);
    expect((await get('notes', note.id, alice)).body).toMatchObject({ title: 'Secret', version: 1 });
  });

  it('never appears in the other user\'s list, and an admin may read it', async () => {
    const bobs = (await list('notes', bob, 'limit=100')).body as { items: Doc[] };
    expect(bobs.items.map((item) => item.id)).not.toContain(note.id);
    const admin = userClaims(`admin-${randomUUID()}`, ['admin']);
    expect((await get('notes', note.id, admin)).statusCode).toBe(200);
  });

  it('is 403 when the caller may read a document but not change it', async () => {
    const post = (await create('posts', { title: 'Mine', published: false }, alice)).body as Doc;
    expect(errorCode(await patch('posts', post.id, { title: 'yours' }, bob))).toBe('Forbidden');
    expect(errorCode(await remove('posts', post.id, bob))).toBe('Forbidden');
  });
});

describe('documents: update, replace, delete', () => {
  it('PATCH changes listed fields, null removes an optional one, and the version goes up', async () => {
    const note = (await create('notes', { title: 'Draft', body: 'text', tags: ['a'] }, alice)).body as Doc;
    const patched = await patch('notes', note.id, { title: 'Final', body: null }, alice);
    expect(patched.statusCode).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Final', tags: ['a'], pinned: false, version: 2 });
    expect(patched.body).not.toHaveProperty('body');
    expect(patched.headers.etag).toBe('"2"');
    expect((patched.body as Doc).updatedAt > note.updatedAt || (patched.body as Doc).updatedAt === note.updatedAt).toBe(true);
    expect(errorCode(await patch('notes', note.id, { title: null }, alice))).toBe('ValidationFailed');
    expect(errorCode(await patch('notes', note.id, { version: 9 }, alice))).toBe('ValidationFailed');
  });

  it('PUT replaces the whole document: fields left out are gone', async () => {
    const note = (await create('notes', { title: 'A', body: 'b', pinned: true }, alice)).body as Doc;
    const replaced = (await put('notes', note.id, { title: 'B' }, alice)).body as Doc;
    expect(replaced).toMatchObject({ title: 'B', pinned: false, version: 2, id: note.id, owner: alice.sub, createdAt: note.createdAt });
    expect(replaced).not.toHaveProperty('body');
  });

  it('honours If-Match: a stale version is 412 and nothing changes', async () => {
    const note = (await create('notes', { title: 'v1' }, alice)).body as Doc;
    expect((await patch('notes', note.id, { title: 'v2' }, alice, { 'if-match': '"1"' })).statusCode).toBe(200);
    const stale = await patch('notes', note.id, { title: 'lost' }, alice, { 'if-match': '"1"' });
    expect(stale).toMatchObject({ statusCode: 412, body: { error: { code: 'PreconditionFailed' } } });
    expect(errorCode(await remove('notes', note.id, alice, { 'if-match': '"1"' }))).toBe('PreconditionFailed');
    expect(errorCode(await patch('notes', note.id, { title: 'x' }, alice, { 'if-match': 'soon' }))).toBe('ValidationFailed');
    expect((await get('notes', note.id, alice)).body).toMatchObject({ title: 'v2', version: 2 });
  });

  it('two concurrent updates with the same If-Match: exactly one wins', async () => {
    const note = (await create('notes', { title: 'race' }, alice)).body as Doc;
    const results = await Promise.all(
      ['left', 'right', 'middle'].map((title) => patch('notes', note.id, { title }, alice, { 'if-match': '"1"' })),
    );
    expect(results.map((result) => result.statusCode).sort()).toEqual([200, 412, 412]);
    const winner = results.find((result) => result.statusCode === 200)!.body as Doc;
    expect((await get('notes', note.id, alice)).body).toMatchObject({ title: winner.title, version: 2 });
  });

  it('concurrent updates without If-Match are all applied, one version each', async () => {
    const note = (await create('notes', { title: 'count' }, alice)).body as Doc;
    const results = await Promise.all(['a', 'b', 'c'].map((body) => patch('notes', note.id, { body }, alice)));
    expect(results.map((result) => result.statusCode)).toEqual([200, 200, 200]);
    expect(((await get('notes', note.id, alice)).body as Doc).version).toBe(4);
  });

  it('DELETE removes the document', async () => {
    const note = (await create('notes', { title: 'bye' }, alice)).body as Doc;
    expect((await remove('notes', note.id, alice, { 'if-match': '"1"' })).statusCode).toBe(204);
    expect((await get('notes', note.id, alice)).statusCode).toBe(404);
    expect((await remove('notes', note.id, alice)).statusCode).toBe(404);
  });
});

describe('documents: TTL and size', () => {
  it('never returns a session whose expiry has passed, even before DynamoDB deletes it', async () => {
    const past = await create('sessions', { device: 'old phone', expiresAt: '2020-01-01T00:00:00Z' }, alice);
    expect(past.statusCode).toBe(201);
    const future = (await create('sessions', { device: 'new phone', expiresAt: '2999-01-01T00:00:00Z' }, alice)).body as Doc;
    expect((await get('sessions', (past.body as Doc).id, alice)).statusCode).toBe(404);
    const sessions = (await list('sessions', alice)).body as { items: Doc[] };
    expect(sessions.items.map((item) => item.id)).toEqual([future.id]);
  });

  it('clamps limit to 100 instead of refusing it', async () => {
    const response = await list('notes', alice, 'limit=500');
    expect(response.statusCode).toBe(200);
    expect(errorCode(await list('notes', alice, 'limit=0'))).toBe('ValidationFailed');
  });
});

describe('documents: Idempotency-Key', () => {
  it('a retry with the same key returns the first response and writes once; another body is 409', async () => {
    const key = `key-${randomUUID()}`;
    const first = await create('notes', { title: 'once' }, bob, { 'idempotency-key': key });
    const retry = await create('notes', { title: 'once' }, bob, { 'idempotency-key': key });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toEqual(first.body);
    const notes = (await list('notes', bob, 'limit=100')).body as { items: Doc[] };
    expect(notes.items.filter((item) => item.title === 'once')).toHaveLength(1);
    expect(errorCode(await create('notes', { title: 'different' }, bob, { 'idempotency-key': key }))).toBe('Conflict');
    expect(errorCode(await create('notes', { title: 'x' }, bob, { 'idempotency-key': 'not valid!' }))).toBe('ValidationFailed');
    // The same key from another caller is another request.
    expect((await create('notes', { title: 'once' }, alice, { 'idempotency-key': key })).body).not.toEqual(first.body);
  });
});
