/**
 * `Idempotency-Key` for create routes (docs/api/README.md): a retry with the same key by the
 * same caller within 24 h gets the first response and writes nothing again; the same key with a
 * different body is 409 Conflict. Built on Powertools' idempotency utility; its records live in
 * the single table (functions/adapters/dynamodb-idempotency-store.ts).
 *
 * @example
 * const createOnce = idempotentOperation('createDocument', (caller, input: { collection: string; body: unknown }) => …);
 * export const handler = httpHandler(operation, (request) => createOnce(request, { collection, body }));
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Context } from 'aws-lambda';
import type { Caller } from '../core/config/access-rules.js';
import { ConflictError, TooManyRequestsError, ValidationError } from '../core/errors.js';
import { dynamoDbClient } from '../adapters/aws-clients.js';
import { isThrottling } from '../adapters/dynamodb-errors.js';
import { singleTableIdempotencyStore } from '../adapters/dynamodb-idempotency-store.js';
import { dynamoDbMeter } from './dynamodb-usage.js';
import { ENV, requireEnv } from './env.js';
import type { HttpResult } from './http-result.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const RETENTION_SECONDS = 24 * 60 * 60;

let persistence: BasePersistenceLayer | undefined;

/** Built on the first request that carries a key, over the environment's one DynamoDB client. */
function persistenceStore(): BasePersistenceLayer {
  persistence ??= singleTableIdempotencyStore(dynamoDbClient(dynamoDbMeter), requireEnv(ENV.tableName));
  return persistence;
}

/** What the idempotency wrapper needs from the HTTP request. */
export type IdempotentRequest = {
  headers: Record<string, string | undefined>;
  caller: Caller | undefined;
  event: { requestContext: { http: { sourceIp: string } } };
  context: Context;
};

/**
 * Makes `run` idempotent per caller and `Idempotency-Key` (the key and the caller make the record's
 * id; only `payload` is compared between retries). Without a key, `run` simply runs. Failures are
 * not remembered: a retry after an error runs again, and an attempt cut short by a timeout frees
 * its key when the function's time is up.
 */
export function idempotentOperation<Payload>(
  operationId: string,
  run: (caller: Caller | undefined, payload: Payload) => Promise<HttpResult>,
) {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'scope',
    payloadValidationJmesPath: 'payload',
    expiresAfterSeconds: RETENTION_SECONDS,
    throwOnNoIdempotencyKey: true,
  });
  type Attempt = { scope: string; payload: Payload; caller: Caller | undefined };
  let once: ((attempt: Attempt) => Promise<HttpResult>) | undefined;
  return async (request: IdempotentRequest, payload: Payload): Promise<HttpResult> => {
    const key = request.headers['idempotency-key'];
    if (key === undefined) return run(request.caller, payload);
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1–64 letters, digits, "-" or "_".', {
        details: [{ path: 'headers.idempotency-key', message: 'Invalid idempotency key' }],
      });
    }
    once ??= makeIdempotent(async (attempt: Attempt) => run(attempt.caller, attempt.payload), {
      persistenceStore: persistenceStore(),
      keyPrefix: `IDEMPOTENCY#${operationId}`,
      config,
    });
    config.registerLambdaContext(request.context);
    // Anonymous callers (public create rules) are told apart by address only.
    const caller = request.caller;
    const scope = `${caller ? `user:${caller.userId}` : `anonymous:${request.event.requestContext.http.sourceIp}`}#${key}`;
    try {
      return await once({ scope, payload, caller });
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new ConflictError('This Idempotency-Key was already used with a different request.', { cause: error });
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError('A request with this Idempotency-Key is still in progress; retry shortly.', { cause: error });
      }
      if (error instanceof IdempotencyPersistenceLayerError && isThrottling(error.cause)) {
        throw new TooManyRequestsError(undefined, { cause: error });
      }
      throw error;
    }
  };
}
