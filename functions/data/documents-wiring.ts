/**
 * The document service wired to the table, once per cold start, for the data handlers.
 */
import { randomBytes } from 'node:crypto';
import backend from '../../lambase.config.js';
import { createDocumentClient } from '../adapters/aws-clients.js';
import { cachedCursorKey } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbDocumentStore } from '../adapters/dynamodb-document-store.js';
import { DocumentService } from '../core/documents/document-service.js';
import type { Document } from '../core/documents/document-item.js';
import { etagOf } from '../core/documents/precondition.js';
import { ENV, requireEnv } from '../shared/env.js';

const client = createDocumentClient();
const tableName = requireEnv(ENV.tableName);
export const documentStore = new DynamoDbDocumentStore(client, tableName);

export const documents = new DocumentService({
  backend,
  store: documentStore,
  cursorKey: cachedCursorKey(client, tableName),
  now: () => new Date(),
  newId: () => randomBytes(16).toString('base64url'),
});

/** The ETag header of a document response. */
export const etagHeader = (document: Document) => ({ etag: etagOf(document.version) });
