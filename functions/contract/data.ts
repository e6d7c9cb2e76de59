/**
 * The document database's operations (docs/api/documents.md). Bodies are checked here only as JSON
 * objects: each collection's own schema (lambase.config.ts) is applied by the use case, and the
 * OpenAPI document lists every collection with the very schemas the use case validates with
 * (`schemasOf`, see `collectionOperations`).
 */
import * as z from '../core/zod.js';
import type { Backend, ResolvedCollection } from '../core/config/define-backend.js';
import { batchBodySchema } from '../core/documents/document-batch.js';
import { schemasOf } from '../core/documents/document-schemas.js';
import { queryInputSchema } from '../core/documents/query-plan.js';
import { defineOperation, type Operation } from './operation.js';
import { pageOf, pageQuerySchema } from './shared-schemas.js';

const collectionParams = z.object({ collection: z.string().check(z.minLength(1), z.maxLength(63)) });
const documentParams = z.extend(collectionParams, { id: z.string().check(z.minLength(1), z.maxLength(128)) });
const fieldsBody = z.record(z.string(), z.unknown()).register(z.globalRegistry, { description: 'The document\'s fields (see the collection\'s schema)' });

const serverFields = {
  id: z.string(),
  owner: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().check(z.int(), z.minimum(1)),
};
export const documentSchema = z.catchall(z.object(serverFields), z.unknown()).register(z.globalRegistry, { id: 'Document' });

const etag = { ETag: 'The document\'s version, quoted: "3"' };
const ifMatchNote = 'Optional `If-Match: "<version>"`: 412 PreconditionFailed when the document is at another version.';

/** `limit` and `cursor` ride in the query body like in the list query string. */
export const queryBodySchema = z.extend(queryInputSchema, pageQuerySchema.shape);

export const createDocumentOperation = defineOperation({
  operationId: 'createDocument',
  method: 'POST',
  path: '/data/{collection}',
  auth: 'optional',
  summary: 'Create a document (🔒 unless the collection\'s create rule is public). Accepts Idempotency-Key.',
  tag: 'documents',
  params: collectionParams,
  body: fieldsBody,
  idempotent: true,
  responses: { 201: { description: 'The document', schema: documentSchema, headers: etag } },
});

export const getDocumentOperation = defineOperation({
  operationId: 'getDocument',
  method: 'GET',
  path: '/data/{collection}/{id}',
  auth: 'optional',
  summary: 'Read a document; 404 when it does not exist or the caller may not read it.',
  tag: 'documents',
  params: documentParams,
  responses: { 200: { description: 'The document', schema: documentSchema, headers: etag } },
});

export const listDocumentsOperation = defineOperation({
  operationId: 'listDocuments',
  method: 'GET',
  path: '/data/{collection}',
  auth: 'optional',
  summary: 'The documents the caller may read, newest first.',
  tag: 'documents',
  params: collectionParams,
  query: pageQuerySchema,
  responses: { 200: { description: 'A page of documents', schema: pageOf(documentSchema) } },
});

export const queryDocumentsOperation = defineOperation({
  operationId: 'queryDocuments',
  method: 'POST',
  path: '/data/{collection}/query',
  auth: 'optional',
  summary: 'Query by a declared index, or within the caller\'s own documents; anything else is 400 UnsupportedQuery.',
  tag: 'documents',
  params: collectionParams,
  body: queryBodySchema,
  responses: { 200: { description: 'A page of documents', schema: pageOf(documentSchema) } },
});

export const updateDocumentOperation = defineOperation({
  operationId: 'updateDocument',
  method: 'PATCH',
  path: '/data/{collection}/{id}',
  auth: 'optional',
  summary: `Change some fields (null removes an optional field). ${ifMatchNote}`,
  tag: 'documents',
  params: documentParams,
  body: fieldsBody,
  responses: { 200: { description: 'The document', schema: documentSchema, headers: etag } },
});

export const replaceDocumentOperation = defineOperation({
  operationId: 'replaceDocument',
  method: 'PUT',
  path: '/data/{collection}/{id}',
  auth: 'optional',
  summary: `Replace the whole document (fields left out are gone). ${ifMatchNote}`,
  tag: 'documents',
  params: documentParams,
  body: fieldsBody,
  responses: { 200: { description: 'The document', schema: documentSchema, headers: etag } },
});

export const deleteDocumentOperation = defineOperation({
  operationId: 'deleteDocument',
  method: 'DELETE',
  path: '/data/{collection}/{id}',
  auth: 'optional',
  summary: `Delete a document. ${ifMatchNote}`,
  tag: 'documents',
  params: documentParams,
  responses: { 204: { description: 'Deleted' } },
});

export const batchDocumentsOperation = defineOperation({
  operationId: 'batchDocuments',
  method: 'POST',
  path: '/data/_batch',
  auth: 'required',
  summary: 'Up to 25 creates, updates and deletes, all or nothing. Accepts Idempotency-Key.',
  tag: 'documents',
  body: batchBodySchema,
  idempotent: true,
  responses: {
    200: {
      description: 'Every operation\'s result, in order',
      schema: z.object({
        results: z.array(
          z.object({ op: z.enum(['create', 'update', 'delete']), collection: z.string(), id: z.string(), document: z.optional(documentSchema) }),
        ),
      }),
    },
  },
});

export const dataOperations: readonly Operation[] = [
  createDocumentOperation,
  listDocumentsOperation,
  queryDocumentsOperation,
  getDocumentOperation,
  updateDocumentOperation,
  replaceDocumentOperation,
  deleteDocumentOperation,
  batchDocumentsOperation,
];

/**
 * The data operations spelled out per collection, with each collection's own field schema, for
 * the OpenAPI document and typed clients (`/data/notes`, `/data/posts/{id}`, …).
 */
export function collectionOperations(backend: Pick<Backend, 'collections'>): Operation[] {
  return Object.values(backend.collections).flatMap((collection) => {
    const { full: fields, patch } = schemasOf(collection);
    const document = z.object({ ...serverFields, ...collection.fields }).register(z.globalRegistry, { id: pascal(collection.name) });
    return dataOperations
      .filter((operation) => operation.path.includes('{collection}'))
      .map((operation) => specialize(operation, collection, { fields, document, patch }));
  });
}

function specialize(
  operation: Operation,
  collection: ResolvedCollection,
  schemas: { fields: z.Schema; document: z.Schema; patch: z.Schema },
): Operation {
  const params = operation.params instanceof z.ZodMiniObject ? z.omit(operation.params, { collection: true }) : undefined;
  const body =
    operation.operationId === 'updateDocument'
      ? schemas.patch
      : operation.operationId === 'createDocument' || operation.operationId === 'replaceDocument'
        ? schemas.fields
        : operation.body;
  const responses = Object.fromEntries(
    Object.entries(operation.responses).map(([status, spec]) => [
      status,
      spec.schema === documentSchema
        ? { ...spec, schema: schemas.document }
        : spec.schema && operation.operationId.endsWith('Documents') && operation.operationId !== 'batchDocuments'
          ? { ...spec, schema: pageOf(schemas.document) }
          : spec,
    ]),
  );
  return {
    ...operation,
    operationId: `${operation.operationId}${pascal(collection.name)}`.replace('Documents', '').replace('Document', ''),
    path: operation.path.replace('{collection}', collection.name),
    auth: collection.access[actionOf(operation.operationId)].includes('public') ? 'optional' : 'required',
    tag: collection.name,
    params: params && Object.keys(params.shape).length ? params : undefined,
    body,
    responses,
  };
}

function actionOf(operationId: string): 'read' | 'create' | 'update' | 'delete' {
  if (operationId === 'createDocument') return 'create';
  if (operationId === 'updateDocument' || operationId === 'replaceDocument') return 'update';
  if (operationId === 'deleteDocument') return 'delete';
  return 'read';
}

const pascal = (name: string) => name.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
