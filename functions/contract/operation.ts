/**
 * The HTTP contract as data: each operation's method, path, auth and zod schemas. Handlers validate
 * with these schemas, the route table (lib/routes.ts) deploys them, the local gateway serves them,
 * `GET /openapi.json` describes them and the client SDK takes its types from them.
 * Pure: no AWS, no middy.
 */
import * as z from '../core/zod.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * - `required`: the gateway's JWT authorizer checks the access token (🔒 in docs/api).
 * - `optional`: no authorizer; the function verifies a token when one is sent (public reads).
 * - `none`: no identity at all.
 */
export type AuthMode = 'required' | 'optional' | 'none';

export type ResponseSpec = { description: string; schema?: z.Schema; headers?: Record<string, string> };

export type Operation<
  Params extends z.Schema = z.Schema,
  Query extends z.Schema = z.Schema,
  Body extends z.Schema = z.Schema,
  Auth extends AuthMode = AuthMode,
> = {
  operationId: string;
  method: HttpMethod;
  /** API Gateway path syntax: `/data/{collection}/{id}`. */
  path: string;
  auth: Auth;
  summary: string;
  tag: string;
  params?: Params;
  query?: Query;
  body?: Body;
  /** Accepts an `Idempotency-Key` header (create routes). */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
};

/** Declares an operation, keeping its schema types for handlers and the client. */
export function defineOperation<
  Params extends z.Schema = z.Schema,
  Query extends z.Schema = z.Schema,
  Body extends z.Schema = z.Schema,
  const Auth extends AuthMode = AuthMode,
>(operation: Operation<Params, Query, Body, Auth>): Operation<Params, Query, Body, Auth> {
  return operation;
}

/** The body of every error response (docs/api/README.md). */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.optional(
        z.array(
          z.object({
            path: z.optional(z.string()),
            index: z.optional(z.number().check(z.int())),
            code: z.optional(z.string()),
            message: z.string(),
          }),
        ),
      ),
      requestId: z.string(),
    }),
  })
  .register(z.globalRegistry, { id: 'Error' });

/** A page of a list (docs/api/README.md). */
export function pageOf<T extends z.Schema>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
}

/** `?limit=&cursor=`: limit 1–100 (larger values are clamped to 100), default 20. */
export const pageQuerySchema = z.object({
  limit: z._default(
    z.pipe(
      z.coerce.number().check(z.int('limit must be a whole number'), z.minimum(1, 'limit must be at least 1')),
      z.transform((limit: number) => Math.min(limit, 100)),
    ),
    20,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});
