import { describe, expect, it } from 'vitest';
import { operations } from '../../../functions/contract/index.js';
import { buildOpenApiDocument } from '../../../functions/contract/openapi.js';
import { documentedOperations, handler } from '../../../functions/system/get-openapi.js';
import { callHttp } from '../../fixtures/lambda.js';

describe('the OpenAPI document', () => {
  const document = buildOpenApiDocument(documentedOperations, { title: 'Lambase', version: '1' }) as {
    openapi: string;
    paths: Record<string, Record<string, { operationId: string; security?: unknown; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, unknown> };
  };

  it('is OpenAPI 3.1 with one entry per operation and unique operation ids', () => {
    expect(document.openapi).toBe('3.1.0');
    const ids = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((op) => op.operationId));
    expect(ids.sort()).toEqual(documentedOperations.map((operation) => operation.operationId).sort());
    // Every contract operation is documented: as itself, or once per collection.
    for (const operation of operations) {
      expect(ids.some((id) => id === operation.operationId || id.startsWith(operation.operationId.replace(/Documents?$/, '')))).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes errors in the contract shape, by reference', () => {
    expect(document.components.schemas.Error).toMatchObject({ properties: { error: { required: expect.arrayContaining(['code', 'message', 'requestId']) } } });
    const refs = JSON.stringify(document.paths).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.every((ref) => ref.includes('#/components/schemas/'))).toBe(true);
  });

  it('marks every operation that needs a token with bearer security', () => {
    for (const operation of documentedOperations) {
      const entry = document.paths[operation.path]![operation.method.toLowerCase()]!;
      if (operation.auth === 'required') expect(entry.security).toEqual([{ bearer: [] }]);
      if (operation.auth === 'none') expect(entry.security).toBeUndefined();
    }
  });

  it('spells the data routes out per collection, with each collection\'s schema', () => {
    const createNote = document.paths['/data/notes']!.post as unknown as { requestBody: { content: { 'application/json': { schema: { properties: Record<string, unknown>; required: string[] } } } } };
    const schema = createNote.requestBody.content['application/json'].schema;
    expect(Object.keys(schema.properties)).toEqual(['title', 'body', 'pinned', 'tags']);
    expect(schema.required).toEqual(['title']);
    expect(document.paths['/data/posts/query']!.post!.security).toEqual([{}, { bearer: [] }]);
    expect(document.paths['/data/notes/{id}']!.get!.security).toEqual([{ bearer: [] }]);
  });

  it('is served by GET /openapi.json', async () => {
    const response = await callHttp(handler, { path: '/openapi.json', routeKey: 'GET /openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ openapi: '3.1.0', info: { title: 'Lambase' } });
  });
});
