import backend from '../../lambase.config.js';
import { operations } from '../contract/index.js';
import { buildOpenApiDocument } from '../contract/openapi.js';
import { getOpenApiOperation } from '../contract/system.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';

// Built once per cold start, never per request.
const document = buildOpenApiDocument(operations, {
  title: 'Lambase',
  version: '1.0.0',
  description: `Collections: ${Object.keys(backend.collections).join(', ')}`,
});

export const handler = httpHandler(getOpenApiOperation, async () => ok(document, { 'cache-control': 'public, max-age=300' }));
