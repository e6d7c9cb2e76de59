import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineOperation } from '../../../functions/contract/operation.js';
import { NotFoundError } from '../../../functions/core/errors.js';
import { httpHandler, MAX_BODY_BYTES } from '../../../functions/shared/http-handler.js';
import { created } from '../../../functions/shared/http-result.js';
import { callHttp } from '../../fixtures/lambda.js';

const echoOperation = defineOperation({
  operationId: 'echo',
  method: 'POST',
  path: '/things/{id}',
  auth: 'required',
  summary: 'echo',
  tag: 'test',
  params: z.object({ id: z.string().min(3) }),
  query: z.object({ limit: z.coerce.number().int().max(10).optional() }),
  body: z.strictObject({ title: z.string().min(1), password: z.string().optional() }),
  responses: { 201: { description: 'ok' } },
});

const echo = httpHandler(echoOperation, async ({ params, query, body, caller, requestId }) =>
  created({ params, query, body: { title: body.title }, caller, requestId }),
);

const claims = { sub: 'user-1', username: 'user-1', 'cognito:groups': ['admin', 'editors'], token_use: 'access' };
const request = { method: 'POST', path: '/things/abc', routeKey: 'POST /things/{id}', pathParameters: { id: 'abc' }, claims };

describe('the HTTP handler stack', () => {
  afterEach(() => vi.restoreAllMocks());

  it('hands the use case validated input and the caller, and answers with x-request-id', async () => {
    const response = await callHttp(echo, { ...request, rawQueryString: 'limit=5', json: { title: 'Hello' }, requestId: 'req-1' });
    expect(response.statusCode).toBe(201);
    expect(response.headers['x-request-id']).toBe('req-1');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      params: { id: 'abc' },
      query: { limit: 5 },
      body: { title: 'Hello' },
      caller: { userId: 'user-1', username: 'user-1', groups: ['admin', 'editors'] },
      requestId: 'req-1',
    });
  });

  it('reads API Gateway\'s "[a b]" form of the groups claim', async () => {
    const response = await callHttp(echo, { ...request, json: { title: 'x' } });
    expect((response.body as { caller: { groups: string[] } }).caller.groups).toEqual(['admin', 'editors']);
  });

  it('answers 400 ValidationFailed in the contract shape for malformed JSON', async () => {
    const response = await callHttp(echo, { ...request, headers: { 'content-type': 'application/json' }, body: '{"title":', requestId: 'r2' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({ error: { code: 'ValidationFailed', message: 'The body is not valid JSON.', requestId: 'r2' } });
    expect(response.headers['x-request-id']).toBe('r2');
  });

  it('names the field of a schema violation, an unknown field, a bad path parameter and a bad query', async () => {
    const missing = await callHttp(echo, { ...request, json: {} });
    expect(missing.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'title', message: 'Required' }] } });
    const unknown = await callHttp(echo, { ...request, json: { title: 'x', color: 'red' } });
    expect(unknown.body).toMatchObject({ error: { code: 'ValidationFailed', details: [{ path: 'color', message: 'Unknown field: color' }] } });
    const param = await callHttp(echo, { ...request, pathParameters: { id: 'a' }, json: { title: 'x' } });
    expect(param.body).toMatchObject({ error: { details: [{ path: 'params.id' }] } });
    const query = await callHttp(echo, { ...request, rawQueryString: 'limit=50', json: { title: 'x' } });
    expect(query.statusCode).toBe(400);
    expect(query.body).toMatchObject({ error: { details: [{ path: 'query.limit' }] } });
  });

  it('asks for a JSON body when there is none or it is not sent as JSON', async () => {
    const none = await callHttp(echo, { ...request });
    expect(none.body).toMatchObject({ error: { code: 'ValidationFailed', message: 'A JSON body is required.' } });
    const text = await callHttp(echo, { ...request, headers: { 'content-type': 'text/plain' }, body: '{"title":"x"}' });
    expect(text.statusCode).toBe(400);
    expect((text.body as { error: { message: string } }).error.message).toMatch(/content-type: application\/json/);
  });

  it('refuses bodies over 256 KiB with 413 PayloadTooLarge', async () => {
    const response = await callHttp(echo, { ...request, json: { title: 'x'.repeat(MAX_BODY_BYTES) } });
    expect(response.statusCode).toBe(413);
    expect(response.body).toMatchObject({ error: { code: 'PayloadTooLarge' } });
  });

  it('answers 401 on a required route that reached the function without verified claims', async () => {
    const response = await callHttp(echo, { ...request, claims: undefined, json: { title: 'x' } });
    expect(response.statusCode).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'Unauthorized' } });
  });

  it('refuses an ID token that API Gateway\'s authorizer let through, with 401', async () => {
    const response = await callHttp(echo, { ...request, claims: { ...claims, token_use: 'id' }, json: { title: 'x' } });
    expect(response).toMatchObject({ statusCode: 401, body: { error: { code: 'Unauthorized', message: 'Send the access token, not the ID token.' } } });
  });

  it('maps domain errors to their status and hides unexpected ones behind a generic 500', async () => {
    const notFound = httpHandler(echoOperation, async () => {
      throw new NotFoundError('No such thing.');
    });
    expect(await callHttp(notFound, { ...request, json: { title: 'x' }, requestId: 'r3' })).toMatchObject({
      statusCode: 404,
      body: { error: { code: 'NotFound', message: 'No such thing.', requestId: 'r3' } },
    });
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const broken = httpHandler(echoOperation, async () => {
      throw new Error('ConditionalCheckFailed on table secret-internal-name');
    });
    const response = await callHttp(broken, { ...request, json: { title: 'x' }, requestId: 'r4' });
    expect(response).toMatchObject({ statusCode: 500, body: { error: { code: 'Internal', requestId: 'r4' } } });
    expect(JSON.stringify(response.body)).not.toContain('secret-internal-name');
  });

  it('never writes the body, tokens or passwords to the logs', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (lines.push(String(chunk)), true));
    vi.spyOn(console, 'info').mockImplementation((...args) => lines.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args) => lines.push(args.join(' ')));
    const token = 'eyJhbGciOiJSUzI1NiJ9.secret-token';
    await callHttp(echo, { ...request, headers: { authorization: `Bearer ${token}` }, json: { title: 'x', password: 'Sup3r$ecretPass' } });
    const logged = lines.join('\n');
    expect(logged).toContain('"route":"POST /things/{id}"');
    expect(logged).not.toContain('Sup3r$ecretPass');
    expect(logged).not.toContain(token);
  });
});
