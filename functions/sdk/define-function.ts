/**
 * `defineFunction()`: turns a user's `async (event, ctx) => …` into the Lambda handler of a function
 * declared in lambase.config.ts, the same in the cloud and in local mode.
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
import { createHash } from 'node:crypto';
import { IdempotencyAlreadyInProgressError, IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import backend from '../../lambase.config.js';
import { functionOperation } from '../contract/functions.js';
import type { Operation } from '../contract/operation.js';
import { ForbiddenError, ValidationError } from '../core/errors.js';
import { scheduledEvent, type LambaseEvent, type ScheduleInput } from '../core/events/lambase-events.js';
import { eventReceiptPrefix } from '../core/table-design.js';
import { httpHandler, type HttpEvent, type HttpRequest } from '../shared/http-handler.js';
import { logger } from '../shared/logger.js';
import { withUsageScope } from '../shared/dynamodb-usage.js';
import { functionSettings, type FunctionSettings } from './function-settings.js';
import type { AnyFunctionEvent, FunctionContext, FunctionHandler, FunctionName, FunctionResponse, HttpFunctionRequest } from './function-types.js';
import { eventReceiptStore, inboxService, pushService, serverDocuments, serverFiles, UndeclaredUseError } from './sdk-wiring.js';

/** Receipts outlive every redelivery: the stream's 24 h of retries, then Lambda's 6 h event age. */
const RECEIPT_SECONDS = 3 * 24 * 60 * 60;

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

type Run = (event: AnyFunctionEvent, ctx: FunctionContext) => Promise<FunctionResponse | void>;
type Parts = ReturnType<typeof contextParts>;

const jsonBody = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'The body is not valid JSON.' });
    return z.NEVER;
  }
});

function httpFunction(settings: FunctionSettings, run: Run, parts: Parts) {
  const http = settings.http!;
  const group = http.auth.startsWith('group:') ? http.auth.slice('group:'.length) : undefined;
  return httpHandler(functionOperation(settings.name, http), async (request: HttpRequest<Operation>) => {
    const { caller } = request;
    if (group && !(caller && (caller.groups.includes(group) || caller.groups.includes(parts.adminGroup)))) {
      throw new ForbiddenError(`Only members of ${group} may call this.`);
    }
    const event: HttpFunctionRequest = {
      type: 'http',
      method: request.event.requestContext.http.method,
      path: request.event.rawPath,
      params: (request.params ?? {}) as Record<string, string>,
      query: (request.query ?? {}) as Record<string, string>,
      headers: request.headers,
      body: parseBody(request.event),
      caller,
    };
    const result = await run(event, parts.contextFor(request.context.awsRequestId, undefined));
    if (!result || typeof result.status !== 'number') throw new Error(`${settings.name} must return { status, body }.`);
    return result;
  });
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const parsed = jsonBody.safeParse(text);
  if (!parsed.success) throw new ValidationError('The body is not valid JSON.');
  return parsed.data;
}

function eventFunction(settings: FunctionSettings, run: Run, parts: Parts) {
  const config = new IdempotencyConfig({ eventKeyJmesPath: 'eventId', expiresAfterSeconds: RECEIPT_SECONDS, throwOnNoIdempotencyKey: true });
  let once: ((event: LambaseEvent, context: Context) => Promise<null>) | undefined;
  return async (payload: LambaseEvent | ScheduleInput, context: Context): Promise<void> => {
    const event = isScheduleInput(payload) ? scheduledEvent(payload) : payload;
    once ??= makeIdempotent(
      async (received: LambaseEvent, lambdaContext: Context) => {
        await run(received, parts.contextFor(lambdaContext.awsRequestId, received.eventId));
        return null; // nothing worth keeping: the receipt only says "done"
      },
      { persistenceStore: eventReceiptStore(), keyPrefix: eventReceiptPrefix(settings.name), config },
    );
    config.registerLambdaContext(context);
    logger.appendKeys({ function: settings.name, eventId: event.eventId });
    try {
      await withUsageScope(() => once!(event, context));
    } catch (error) {
      // Another delivery of this event is running now; if it fails, its own retries run it again.
      if (error instanceof IdempotencyAlreadyInProgressError) return logger.info('event already being handled elsewhere');
      logger.error('function failed', error as Error);
      throw error;
    } finally {
      logger.removeKeys(['function', 'eventId']);
    }
  };
}

function isScheduleInput(payload: LambaseEvent | ScheduleInput): payload is ScheduleInput {
  return payload.type === 'scheduled' && !('eventId' in payload);
}

/**
 * What `ctx` is made of: each server-side API built on first use, and only if declared in `uses`
 * (an undeclared one fails with the config line to add; a read-only `documents` refuses writes).
 */
function contextParts(settings: FunctionSettings) {
  const has = (use: FunctionSettings['uses'][number]) => settings.uses.includes(use);
  const lazily = <T>(build: () => T) => {
    let built: T | undefined;
    return () => (built ??= build());
  };
  const documents = lazily(() => {
    if (!has('documents') && !has('documents:read')) throw new UndeclaredUseError(settings.name, 'documents', 'documents');
    const server = serverDocuments();
    if (has('documents')) return server;
    const readOnly = () => Promise.reject(new UndeclaredUseError(settings.name, 'documents (writing)', 'documents'));
    return Object.assign(Object.create(server) as typeof server, { create: readOnly, update: readOnly, delete: readOnly });
  });
  const files = lazily(() => (has('files') ? serverFiles() : failWith(new UndeclaredUseError(settings.name, 'files', 'files'))));
  const push = lazily(() => (has('push') ? pushService() : failWith(new UndeclaredUseError(settings.name, 'push', 'push'))));
  const inbox = lazily(() => (has('notifications') ? inboxService() : failWith(new UndeclaredUseError(settings.name, 'notifications', 'notifications'))));
  return {
    /** Admins pass every `group:<name>` check, as they pass every access rule. */
    adminGroup: backend.auth.adminGroup,
    contextFor(requestId: string, eventId: string | undefined): FunctionContext {
      // Sends in an event run get ids derived from the event: a retried run overwrites its inbox items.
      let sends = 0;
      const idFor = (given: string | undefined) =>
        given ?? (eventId === undefined ? undefined : createHash('sha256').update(`${settings.name}#${eventId}#${sends++}`).digest('base64url').slice(0, 22));
      return {
        get documents() {
          return documents() as unknown as FunctionContext['documents'];
        },
        get files() {
          return files();
        },
        push: { send: (request) => push().send({ ...request, notificationId: idFor(request.notificationId) }) },
        notifications: { send: (request) => inbox().send({ ...request, notificationId: idFor(request.notificationId) }) },
        logger,
        requestId,
        eventId,
        functionName: settings.name,
      };
    },
  };
}

function failWith(error: Error): never {
  throw error;
}
