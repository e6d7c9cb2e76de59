/**
 * The data feature's wiring (every feature has one: functions/<feature>/<feature>-wiring.ts).
 *
 * A wiring file builds the feature's parts — adapters over the environment's shared SDK clients
 * (functions/adapters/aws-clients.ts) and use cases over those adapters — one exported function
 * per part. Building reads the environment variables the part's grant provides, so nothing is
 * built on import: each handler calls what it uses once, at module scope, and so its function
 * needs only the environment and grants of those parts (reading a document needs no cursor key,
 * listing files no bucket). A feature that needs another feature's part (DELETE /me erases
 * documents and files) imports it from that feature's wiring file.
 *
 * @example
 * const documents = documentService();
 * export const handler = httpHandler(getDocumentOperation, async ({ params, caller }) => ok(await documents.get(caller, params.collection, params.id)), { tokens: accessTokens() });
 */
import { randomBytes } from 'node:crypto';
import backend from '../../lambase.config.js';
import { documentClient } from '../adapters/aws-clients.js';
import { tableCursors } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbDocumentStore } from '../adapters/dynamodb-document-store.js';
import { systemClock } from '../core/clock.js';
import { DocumentService } from '../core/documents/document-service.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

/** Documents in the single table (grant: `table`). */
export function documentStore(): DynamoDbDocumentStore {
  return new DynamoDbDocumentStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** The document use cases over `store`; lists and queries sign cursors (grant: `cursorKey`). */
export function documentService(store: DynamoDbDocumentStore = documentStore()): DocumentService {
  return new DocumentService({
    backend,
    store,
    cursors: tableCursors(documentClient(dynamoDbMeter), requireEnv(ENV.tableName)),
    clock: systemClock,
    newId: () => randomBytes(16).toString('base64url'),
  });
}
