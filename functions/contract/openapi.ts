/**
 * Builds the OpenAPI 3.1 document from the operations and their zod schemas, so the published
 * contract is the one the handlers validate with. Named schemas (registered with an `id`) become
 * `components.schemas`.
 *
 * One difference JSON Schema cannot express: zod measures string lengths in UTF-16 units, JSON
 * Schema in code points, so for characters beyond the Basic Multilingual Plane (most emoji) the
 * server is stricter than `maxLength` says.
 */
import * as z from '../core/zod.js';
import type { Operation } from './operation.js';
import { errorBodySchema } from './shared-schemas.js';

type JsonObject = Record<string, unknown>;

export type OpenApiInfo = { title: string; version: string; description?: string };

export function buildOpenApiDocument(operations: readonly Operation[], info: OpenApiInfo): JsonObject {
  const components: Record<string, unknown> = {};
  const toSchema = (schema: z.Schema, io: 'input' | 'output') => {
    const { $schema: _ignored, $defs, ...json } = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
    }) as JsonObject & { $defs?: Record<string, unknown> };
    for (const [id, def] of Object.entries($defs ?? {})) components[id] = rewriteRefs(def);
    return rewriteRefs(json);
  };
  // errorBodySchema is registered as `{ id: 'Error' }`, so converting it registers components.Error.
  toSchema(errorBodySchema, 'output');

  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const parameters = [
      ...parametersOf(operation.params, 'path', toSchema),
      ...parametersOf(operation.query, 'query', toSchema),
      ...(operation.idempotent
        ? [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } }]
        : []),
    ];
    const responses: Record<string, unknown> = {};
    for (const [status, spec] of Object.entries(operation.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.headers
          ? { headers: Object.fromEntries(Object.entries(spec.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
          : {}),
        ...(spec.schema ? { content: { 'application/json': { schema: toSchema(spec.schema, 'output') } } } : {}),
      };
    }
    responses['4XX'] = { description: 'Client error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    responses['5XX'] = { description: 'Server error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method.toLowerCase()] = {
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [operation.tag],
      ...(operation.auth === 'required' ? { security: [{ bearer: [] }] } : {}),
      ...(operation.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(operation.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: toSchema(operation.body, 'input') } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (Cognito access token)' } },
    },
  };
}

function parametersOf(schema: z.Schema | undefined, location: 'path' | 'query', toSchema: (s: z.Schema, io: 'input') => JsonObject) {
  if (!schema) return [];
  const json = toSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

function rewriteRefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(rewriteRefs) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' ? inner.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(inner),
      ]),
    ) as T;
  }
  return value;
}
