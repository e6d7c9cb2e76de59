/**
 * The HTTP contract as data: each operation's method, path, auth and zod schemas. Handlers validate
 * with these schemas, the route table (lib/routes.ts) deploys them, the local gateway serves them,
 * `GET /openapi.json` describes them and the client SDK takes its types from them.
 * Pure: no AWS, no middy; and no zod at run time (types only), so an operation without schemas
 * costs its function no zod (shared-schemas.ts holds the schemas operations share).
 */
import type * as z from '../core/zod.js';

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
