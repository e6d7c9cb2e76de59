import backend from '../../lambase.config.js';
import { operations } from '../contract/index.js';
import { collectionOperations } from '../contract/data.js';
import { functionOperations } from '../contract/functions.js';
import { buildOpenApiDocument } from '../contract/openapi.js';
import { getOpenApiOperation } from '../contract/system.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';

/** Every operation, with the data routes spelled out per collection (their own schemas), and the config's HTTP functions. */
export const documentedOperations = [
  ...operations.filter((operation) => !operation.path.includes('{collection}')),
  ...collectionOperations(backend),
  ...functionOperations(backend),
];

// Built once per cold start, never per request.
const document = buildOpenApiDocument(documentedOperations, {
  title: 'Lambase',
  version: '1.0.0',
  description: 'The HTTP contract of this backend (docs/api), generated from the schemas its handlers validate with.',
});

export const handler = httpHandler(getOpenApiOperation, async () => ok(document, { 'cache-control': 'public, max-age=300' }));
