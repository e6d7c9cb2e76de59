/**
 * The user functions' wiring (the pattern: functions/data/data-wiring.ts): the server-side APIs a
 * function's `ctx` offers, each built on first use from the environment its grant provides, and
 * the receipts that make it run each event once. A part the function did not declare in `uses`
 * is never built: asking for it fails with the line to add to lambase.config.ts.
 *
 * Each part is its own module under uses/ (exporting `part`): the shared build bundles only the
 * ones a function's `uses` names and puts a stub in place of the others (build/function-build.ts),
 * so a function that only writes inbox items carries no S3 or SNS client.
 */
import { dynamoDbClient } from '../adapters/aws-clients.js';
import { singleTableIdempotencyStore } from '../adapters/dynamodb-idempotency-store.js';
import type { FunctionUse } from '../core/config/function-kinds.js';
import { recordDynamoDbCall } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

export { part as serverDocuments } from './uses/documents.js';
export { part as serverFiles } from './uses/files.js';
export { part as pushService } from './uses/push.js';
export { part as inboxService } from './uses/notifications.js';

/** Raised when a function reaches for a part of `ctx` it did not declare. */
export class UndeclaredUseError extends Error {
  constructor(functionName: string, part: string, use: FunctionUse) {
    super(`ctx.${part} is not available to ${functionName}: add "${use}" to functions.${functionName}.uses in lambase.config.ts (it grants the permissions ${part} needs).`);
    this.name = 'UndeclaredUseError';
  }
}

/** Where a function's event receipts live (grant: `eventReceipts`, its own `EVENT#<name>#…` items). */
export function eventReceiptStore() {
  return singleTableIdempotencyStore(dynamoDbClient(recordDynamoDbCall), requireEnv(ENV.tableName));
}
