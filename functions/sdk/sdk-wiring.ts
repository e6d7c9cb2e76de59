/**
 * The user functions' wiring (the pattern: functions/data/data-wiring.ts): the server-side APIs a
 * function's `ctx` offers, each built on first use from the environment its grant provides (the
 * receipts that make an event function run each event once are wired in event-function.ts, so an
 * HTTP function's bundle carries no Powertools). A part the function did not declare in `uses`
 * is never built: asking for it fails with the line to add to lambase.config.ts.
 *
 * Each part is its own module under uses/ (exporting `part`): the shared build bundles only the
 * ones a function's `uses` names and puts a stub in place of the others (build/function-build.ts),
 * so a function that only writes inbox items carries no S3 or SNS client.
 */
import type { FunctionUse } from '../core/config/function-kinds.js';

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
