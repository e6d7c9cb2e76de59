/**
 * `Idempotency-Key` for create routes (API.md, "Conventions"): a retry with the same key by the
 * same caller within 24 h gets the first response and writes nothing again; the same key with a
 * different body is 409 Conflict. Built on Powertools' idempotency utility; its records live in
 * the single table (pk `IDEMPOTENCY#<operation>#<hash>`, sk `IDEMPOTENCY`, expiring through `ttl`).
 *
 * @example
 * const createOnce = idempotentOperation('createDocument', (input: { collection: string; body: unknown }) => …);
 * return createOnce(headers['idempotency-key'], caller, input);
 */
import { IdempotencyConfig, IdempotencyAlreadyInProgressError, IdempotencyValidationError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Caller } from '../core/config/access-rules.js';
import { ConflictError, ValidationError } from '../core/errors.js';
import { TABLE_KEY, TTL_ATTRIBUTE } from '../core/table-design.js';
import { createDynamoDbClient } from '../adapters/aws-clients.js';
import { ENV, requireEnv } from './env.js';
import type { HttpResult } from './http-result.js';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_-]{1,64}$/;
const RETENTION_SECONDS = 24 * 60 * 60;

/** Powertools' DynamoDB layer, keyed the single-table way: the key in pk, a fixed sk. */
class SingleTablePersistenceLayer extends DynamoDBPersistenceLayer {
  protected override getKey(idempotencyKey: string) {
    return marshall({ [TABLE_KEY.partition]: idempotencyKey, [TABLE_KEY.sort]: 'IDEMPOTENCY' });
  }
}

let persistence: SingleTablePersistenceLayer | undefined;

function persistenceStore(): SingleTablePersistenceLayer {
  persistence ??= new SingleTablePersistenceLayer({
    tableName: requireEnv(ENV.tableName),
    keyAttr: TABLE_KEY.partition,
    expiryAttr: TTL_ATTRIBUTE,
    awsSdkV3Client: createDynamoDbClient(),
  });
  return persistence;
}

/**
 * Makes `run` idempotent per caller and `Idempotency-Key`. Without a key, `run` simply runs.
 * Failures are not remembered: a retry after an error runs again.
 */
export function idempotentOperation<Input>(operationId: string, run: (input: Input) => Promise<HttpResult>) {
  let once: ((request: { scope: string; input: Input }) => Promise<HttpResult>) | undefined;
  return async (key: string | undefined, caller: Caller | undefined, sourceIp: string, input: Input): Promise<HttpResult> => {
    if (key === undefined) return run(input);
    if (!IDEMPOTENCY_KEY.test(key)) {
      throw new ValidationError('Idempotency-Key must be 1–64 letters, digits, "-" or "_".', {
        details: [{ path: 'headers.idempotency-key', message: 'Invalid idempotency key' }],
      });
    }
    once ??= makeIdempotent(async (request: { scope: string; input: Input }) => run(request.input), {
      persistenceStore: persistenceStore(),
      keyPrefix: `IDEMPOTENCY#${operationId}`,
      config: new IdempotencyConfig({
        eventKeyJmesPath: 'scope',
        payloadValidationJmesPath: 'input',
        expiresAfterSeconds: RETENTION_SECONDS,
        throwOnNoIdempotencyKey: true,
      }),
    });
    // Anonymous callers (public create rules) are told apart by address only.
    const scope = `${caller ? `user:${caller.userId}` : `anonymous:${sourceIp}`}#${key}`;
    try {
      return await once({ scope, input });
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        throw new ConflictError('This Idempotency-Key was already used with a different request.', { cause: error });
      }
      if (error instanceof IdempotencyAlreadyInProgressError) {
        throw new ConflictError('A request with this Idempotency-Key is still in progress; retry shortly.', { cause: error });
      }
      throw error;
    }
  };
}
