/**
 * `defineFunction()`: turns a user's `async (event, ctx) => …` into the Lambda handler of a function
 * declared in lambase.config.ts, the same in the cloud and in local mode.
 *
 * Each path is its own module (http-function.ts, event-function.ts): a function's bundle carries
 * only its own (build/function-build.ts).
 *
 * - An HTTP function runs inside the platform's one middleware stack (functions/shared/http-handler.ts):
 *   request id, body limit, the caller from the access token, a `group:<name>` check (403), and
 *   thrown errors mapped to the contract's error shape. It returns `{ status, body }`.
 * - An event or scheduled function runs each event **once per `eventId`**: a receipt in the table
 *   (Powertools idempotency, `EVENT#<function>#…`) makes a redelivery — the dispatcher retrying a
 *   batch, Lambda delivering an asynchronous event twice — return without running the code
 *   again. A run that throws leaves no receipt, so Lambda's retries run it again.
 *
 * @example
 * import { defineFunction } from 'lambase/functions';
 * export const handler = defineFunction<'welcome'>(async (event, ctx) => {
 *   await ctx.notifications.send({ userIds: [event.user.userId], notification: { title: 'Welcome!', body: 'Glad you are here.' } });
 * });
 */
import { eventFunction } from './event-function.js';
import { contextParts } from './context-parts.js';
import { functionSettings } from './function-settings.js';
import { httpFunction } from './http-function.js';
import type { AnyFunctionEvent, FunctionContext, FunctionHandler, FunctionName, FunctionResponse } from './function-types.js';

/**
 * Declares a function's code. Name the function as lambase.config.ts does to get its event typed
 * (`defineFunction<'notify-new-post'>(…)`); without it, the event is any Lambase event.
 */
export function defineFunction<N extends FunctionName = never>(handler: FunctionHandler<N>) {
  const settings = functionSettings();
  const run = handler as unknown as (event: AnyFunctionEvent, ctx: FunctionContext) => Promise<FunctionResponse | void>;
  const parts = contextParts(settings);
  return settings.http ? httpFunction(settings, run, parts) : eventFunction(settings, run, parts);
}
