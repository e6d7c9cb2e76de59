/**
 * The HTTP handler stack, built once here and used by every route's function, in one fixed order:
 *
 *   request id + logger → body guard (size, presence) → JSON body → caller identity
 *   → zod validation → the use case → result (errors mapped to the contract in one place)
 *
 * A handler declares its operation (functions/contract) and calls one use case:
 *
 * @example
 * export const handler = httpHandler(getMeOperation, async ({ caller }) => ok(await users.getProfile(caller)));
 */
import middy from '@middy/core';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Caller } from '../core/config/access-rules.js';
import { PayloadTooLargeError, ValidationError } from '../core/errors.js';
import type { Operation } from '../contract/operation.js';
import * as z from '../core/zod.js';
import type { AccessTokenVerifier } from '../adapters/access-token-verifier.js';
import { resolveCaller } from './caller-identity.js';
import { errorResult, validationErrorFrom } from './error-response.js';
import { toApiGatewayResult, type HttpResult } from './http-result.js';
import { currentUsage, withUsageScope } from './dynamodb-usage.js';
import { logger, loggerContext } from './logger.js';
import { publishDynamoDbUsage } from './metrics.js';

/** Request bodies over this many bytes get 413 (docs/api/README.md). */
export const MAX_BODY_BYTES = 256 * 1024;

const JSON_CONTENT_TYPE = /^application\/(.+\+)?json($|;.+)/;

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
type Infer<T, Fallback> = [NonNullable<T>] extends [z.Schema] ? z.output<NonNullable<T>> : Fallback;

export type HttpRequest<Op extends Operation> = {
  params: Infer<Op['params'], Record<string, never>>;
  query: Infer<Op['query'], Record<string, never>>;
  body: Infer<Op['body'], undefined>;
  /** Always set on `required` routes; `undefined` for anonymous callers of `optional` routes. */
  caller: Op['auth'] extends 'required' ? Caller : Caller | undefined;
  headers: Record<string, string | undefined>;
  requestId: string;
  event: HttpEvent;
  context: Context;
};

type Parsed = { params?: unknown; query?: unknown; body?: unknown; caller?: Caller };
/** Lambda's context; the stack keeps what it parsed under `lambase` (set by the first middleware). */
type StackContext = Context & { lambase?: Parsed };
type Request = middy.Request<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext>;

function requestLogging(): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext> {
  const startedAt = new WeakMap<object, number>();
  const finish = (request: Request) => {
    const requestId = request.event.requestContext?.requestId ?? 'unknown';
    request.response = request.response ?? { statusCode: 500 };
    request.response.headers = { ...request.response.headers, 'x-request-id': requestId };
    const usage = currentUsage();
    const dynamodb = usage && usage.calls > 0 ? usage : undefined;
    if (dynamodb) {
      publishDynamoDbUsage(request.event.routeKey, dynamodb);
      // Off in the cloud; local mode's benchmark turns it on to count calls per request.
      if (process.env.LAMBASE_REPORT_USAGE === 'true') {
        const operations = Object.entries(dynamodb.operations).map(([name, count]) => `${name}=${count}`).join(',');
        request.response.headers['x-lambase-dynamodb'] = `calls=${dynamodb.calls}; read=${dynamodb.readUnits}; write=${dynamodb.writeUnits}; ${operations}`;
      }
    }
    logger.info('request', {
      route: request.event.routeKey,
      status: request.response.statusCode,
      durationMs: Date.now() - (startedAt.get(request) ?? Date.now()),
      ...(dynamodb ? { dynamodb } : {}),
    });
  };
  return {
    before: function requestLoggingBefore(request) {
      startedAt.set(request, Date.now());
      request.context.lambase = {};
      logger.appendKeys({ requestId: request.event.requestContext?.requestId, route: request.event.routeKey });
    },
    after: finish,
    onError: finish,
  };
}

function errorResponse(): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext> {
  return {
    onError: function errorResponseOnError(request) {
      const { result, unexpected } = errorResult(request.error, request.event.requestContext?.requestId ?? 'unknown');
      if (unexpected) logger.error('unhandled error', request.error as Error);
      else if (result.status >= 500) logger.warn('request failed', { code: (result.body as { error: { code: string } }).error.code });
      request.response = toApiGatewayResult(result);
    },
  };
}

function bodyGuard(operation: Operation): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext> {
  return {
    before: function bodyGuardBefore({ event }) {
      const body = event.body;
      const bytes = body === undefined ? 0 : Buffer.byteLength(body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes > MAX_BODY_BYTES) {
        throw new PayloadTooLargeError(`The request body is ${bytes} bytes; the limit is ${MAX_BODY_BYTES}.`);
      }
      if (!operation.body) return;
      if (body === undefined || body === '') throw new ValidationError('A JSON body is required.');
      if (!JSON_CONTENT_TYPE.test(event.headers?.['content-type'] ?? '')) {
        throw new ValidationError('Send the body as JSON, with the header content-type: application/json.');
      }
    },
  };
}

function callerIdentity(operation: Operation, tokens?: AccessTokenVerifier): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext> {
  return {
    before: async function callerIdentityBefore(request) {
      request.context.lambase!.caller = await resolveCaller(request.event, operation.auth, tokens);
    },
  };
}

/**
 * What a route's auth mode needs: `optional` routes verify tokens themselves, so their handlers
 * pass the verifier (and only their bundles carry one).
 */
export type HttpHandlerOptions<Op extends Operation> = Op['auth'] extends 'optional'
  ? [options: { tokens: AccessTokenVerifier }]
  : // An operation whose auth is only known at run time (a user function's, from its settings).
    'optional' extends Op['auth']
    ? [options?: { tokens: AccessTokenVerifier }]
    : [];

function validateRequest(operation: Operation): middy.MiddlewareObj<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext> {
  const parse = (schema: z.Schema | undefined, input: unknown, where: string) => {
    if (!schema) return {};
    const result = z.safeParse(schema, input);
    if (!result.success) throw validationErrorFrom(result.error, where === 'body' ? undefined : where);
    return result.data;
  };
  return {
    before: function validateRequestBefore(request) {
      const { event } = request;
      request.context.lambase!.params = parse(operation.params, event.pathParameters ?? {}, 'params');
      request.context.lambase!.query = parse(operation.query, event.queryStringParameters ?? {}, 'query');
      request.context.lambase!.body = operation.body ? parse(operation.body, event.body, 'body') : undefined;
    },
  };
}

/** Wraps a use-case call in the full stack for `operation`. */
export function httpHandler<Op extends Operation>(
  operation: Op,
  handle: (request: HttpRequest<Op>) => Promise<HttpResult>,
  ...[options]: HttpHandlerOptions<Op>
) {
  const stack = middy<HttpEvent, APIGatewayProxyStructuredResultV2, Error, StackContext>()
    .use(loggerContext())
    .use(requestLogging())
    .use(errorResponse())
    .use(bodyGuard(operation));
  if (operation.body) stack.use(httpJsonBodyParser());
  const handler = stack
    .use(callerIdentity(operation, options?.tokens))
    .use(validateRequest(operation))
    .handler(async (event, context) => {
      const parsed = context.lambase!;
      const result = await handle({
        params: parsed.params,
        query: parsed.query,
        body: parsed.body,
        caller: parsed.caller,
        headers: event.headers ?? {},
        requestId: event.requestContext.requestId,
        event,
        context,
      } as HttpRequest<Op>);
      return toApiGatewayResult(result);
    });
  // Each invocation counts its own DynamoDB calls (functions/shared/dynamodb-usage.ts).
  return (event: HttpEvent, context: Context, options: { signal: AbortSignal } = { signal: new AbortController().signal }) =>
    withUsageScope(async () => (await handler(event, context, options)) as APIGatewayProxyStructuredResultV2);
}
