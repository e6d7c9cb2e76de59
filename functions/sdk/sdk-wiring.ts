/**
 * The user functions' wiring (the pattern: functions/data/data-wiring.ts): the server-side APIs a
 * function's `ctx` offers, each built on first use from the environment its grant provides, and
 * the receipts that make it run each event once. A part the function did not declare in `uses`
 * is never built: asking for it fails with the line to add to lambase.config.ts.
 */
import { dynamoDbClient } from '../adapters/aws-clients.js';
import { singleTableIdempotencyStore } from '../adapters/dynamodb-idempotency-store.js';
import { systemClock } from '../core/clock.js';
import type { FunctionUse } from '../core/config/function-config.js';
import { ServerDocuments } from '../core/documents/server-documents.js';
import { ServerFiles } from '../core/storage/server-files.js';
import { documentService, documentStore } from '../data/data-wiring.js';
import { inboxService, pushService } from '../push/push-wiring.js';
import { fileObjects, fileRecords } from '../storage/storage-wiring.js';
import { recordDynamoDbCall } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

/** Raised when a function reaches for a part of `ctx` it did not declare. */
export class UndeclaredUseError extends Error {
  constructor(functionName: string, part: string, use: FunctionUse) {
    super(`ctx.${part} is not available to ${functionName}: add "${use}" to functions.${functionName}.uses in lambase.config.ts (it grants the permissions ${part} needs).`);
    this.name = 'UndeclaredUseError';
  }
}

/** Documents on the backend's own authority (uses: `documents`, or `documents:read`). */
export function serverDocuments(): ServerDocuments {
  const store = documentStore();
  return new ServerDocuments({ service: documentService(store), store, clock: systemClock });
}

/** File records and download URLs (uses: `files`). */
export function serverFiles(): ServerFiles {
  return new ServerFiles({ records: fileRecords(), objects: fileObjects(), clock: systemClock });
}

export { inboxService, pushService };

/** Where a function's event receipts live (grant: `eventReceipts`, its own `EVENT#<name>#…` items). */
export function eventReceiptStore() {
  return singleTableIdempotencyStore(dynamoDbClient(recordDynamoDbCall), requireEnv(ENV.tableName));
}
