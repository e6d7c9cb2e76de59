import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as batchDocuments } from '../../../functions/data/batch-documents.js';
import { handler as createDocument } from '../../../functions/data/create-document.js';
import { handler as getDocument } from '../../../functions/data/get-document.js';
import { handler as listDocuments } from '../../../functions/data/list-documents.js';
type Claims = Record<string, unknown>;
import { callHttp } from '../../fixtures/lambda.js';

type Doc = Record<string, unknown> & { id: string; version: number };
const claims = (sub: string) => ({ sub, username: sub, token_use: 'access' });

const batch = (body: unknown, who?: Claims, headers: Record<string, string> = {}) =>
  callHttp(batchDocuments, { method: 'POST', path: '/data/_batch', routeKey: 'POST /data/_batch', json: body, claims: who, headers });
const create = (collection: string, body: unknown, who: Claims) =>
  callHttp(createDocument, { method: 'POST', path: `/data/${collection}`, routeKey: 'POST /data/{collection}', pathParameters: { collection }, json: body, claims: who });
const get = (collection: string, id: string, who: Claims) =>
  callHttp(getDocument, { path: `/data/${collection}/${id}`, routeKey: 'GET /data/{collection}/{id}', pathParameters: { collection, id }, claims: who });
const countNotes = async (who: Claims) =>
  ((await callHttp(listDocuments, { path: '/data/notes', routeKey: 'GET /data/{collection}', pathParameters: { collection: 'notes' }, claims: who, rawQueryString: 'limit=100' })).body as { items: Doc[] }).items.length;

describe('POST /data/_batch', () => {
  it('writes creates, updates and deletes across collections and answers in order', async () => {
    const user = claims(`u-${randomUUID()}`);
    const existing = (await create('notes', { title: 'old' }, user)).body as Doc;
    const doomed = (await create('notes', { title: 'doomed' }, user)).body as Doc;
    const response = await batch(
      {
        operations: [
          { op: 'create', collection: 'notes', data: { title: 'new' } },
          { op: 'create', collection: 'posts', data: { title: 'p', published: false } },
          { op: 'update', collection: 'notes', id: existing.id, data: { pinned: true }, ifVersion: 1 },
          { op: 'delete', collection: 'notes', id: doomed.id },
        ],
      },
      user,
    );
    expect(response.statusCode).toBe(200);
    const { results } = response.body as { results: { op: string; collection: string; id: string; document?: Doc }[] };
    expect(results.map((result) => [result.op, result.collection])).toEqual([
      ['create', 'notes'],
      ['create', 'posts'],
      ['update', 'notes'],
      ['delete', 'notes'],
    ]);
    expect(results[0]!.document).toMatchObject({ title: 'new', version: 1 });
    expect(results[2]!.document).toMatchObject({ id: existing.id, pinned: true, version: 2 });
    expect(results[3]).toEqual({ op: 'delete', collection: 'notes', id: doomed.id });
    expect((await get('notes', doomed.id, user)).statusCode).toBe(404);
    expect((await get('posts', results[1]!.id, user)).statusCode).toBe(200);
  });

  it('writes nothing when the last operation fails, and says which one failed', async () => {
    const user = claims(`u-${randomUUID()}`);
    const note = (await create('notes', { title: 'keep' }, user)).body as Doc;
    const response = await batch(
      {
        operations: [
          { op: 'create', collection: 'notes', data: { title: 'should not exist' } },
          { op: 'update', collection: 'notes', id: note.id, data: { title: 'changed' } },
          { op: 'update', collection: 'notes', id: note.id.replace(/.$/, 'Z') + 'missing', data: { title: 'x' } },
        ],
      },
      user,
    );
    expect(response.statusCode).toBe(409);
    expect(response.body).toMatchObject({
      error: { code: 'TransactionCanceled', details: [{ index: 2, code: 'NotFound' }] },
    });
    expect(await countNotes(user)).toBe(1);
    expect((await get('notes', note.id, user)).body).toMatchObject({ title: 'keep', version: 1 });
  });

  it('reports a stale ifVersion found by the transaction itself as PreconditionFailed, writing nothing', async () => {
    const user = claims(`u-${randomUUID()}`);
    const note = (await create('notes', { title: 'v1' }, user)).body as Doc;
    const stale = await batch(
      { operations: [{ op: 'create', collection: 'notes', data: { title: 'extra' } }, { op: 'delete', collection: 'notes', id: note.id, ifVersion: 7 }] },
      user,
    );
    expect(stale).toMatchObject({ statusCode: 409, body: { error: { code: 'TransactionCanceled', details: [{ index: 1, code: 'PreconditionFailed' }] } } });
    expect(await countNotes(user)).toBe(1);
  });

  it('checks the access rules of every operation', async () => {
    const owner = claims(`u-${randomUUID()}`);
    const intruder = claims(`u-${randomUUID()}`);
    const note = (await create('notes', { title: 'mine' }, owner)).body as Doc;
    const response = await batch(
      { operations: [{ op: 'create', collection: 'notes', data: { title: 'ok' } }, { op: 'delete', collection: 'notes', id: note.id }] },
      intruder,
    );
    expect(response.body).toMatchObject({ error: { code: 'TransactionCanceled', details: [{ index: 1, code: 'NotFound' }] } });
    expect(await countNotes(intruder)).toBe(0);
  });

  it('refuses bad shapes, schema violations, duplicates and more than 25 operations', async () => {
    const user = claims(`u-${randomUUID()}`);
    expect((await batch({ operations: [] }, user)).statusCode).toBe(400);
    const many = Array.from({ length: 26 }, () => ({ op: 'create', collection: 'notes', data: { title: 'x' } }));
    expect((await batch({ operations: many }, user)).body).toMatchObject({ error: { code: 'ValidationFailed' } });
    expect((await batch({ operations: [{ op: 'rename', collection: 'notes' }] }, user)).statusCode).toBe(400);
    const invalid = await batch({ operations: [{ op: 'create', collection: 'notes', data: { title: '' } }] }, user);
    expect(invalid.body).toMatchObject({ error: { code: 'TransactionCanceled', details: [{ index: 0, code: 'ValidationFailed' }] } });
    const note = (await create('notes', { title: 'twice' }, user)).body as Doc;
    const duplicate = await batch(
      { operations: [{ op: 'delete', collection: 'notes', id: note.id }, { op: 'update', collection: 'notes', id: note.id, data: { title: 'y' } }] },
      user,
    );
    expect(duplicate.body).toMatchObject({ error: { code: 'TransactionCanceled', details: [{ index: 1, code: 'ValidationFailed' }] } });
    expect((await batch({ operations: [{ op: 'create', collection: 'notes', data: { title: 'x' } }] })).statusCode).toBe(401);
  });

  it('honours Idempotency-Key: a retried batch is written once', async () => {
    const user = claims(`u-${randomUUID()}`);
    const body = { operations: [{ op: 'create', collection: 'notes', data: { title: 'once' } }] };
    const key = randomUUID();
    const first = await batch(body, user, { 'idempotency-key': key });
    const second = await batch(body, user, { 'idempotency-key': key });
    expect(second.body).toEqual(first.body);
    expect(await countNotes(user)).toBe(1);
  });
});
