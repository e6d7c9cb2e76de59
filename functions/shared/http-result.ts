/**
 * What a use case hands back to the HTTP layer, and its translation into API Gateway's
 * payload-v2 result. Handlers build results with `ok`, `created`, `accepted` and `noContent`.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpResult = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
};

// Results are plain JSON (idempotent create routes store them): no undefined members.
export const ok = (body: unknown, headers?: Record<string, string>): HttpResult => ({ status: 200, body, ...(headers ? { headers } : {}) });
export const created = (body: unknown, headers?: Record<string, string>): HttpResult => ({ status: 201, body, ...(headers ? { headers } : {}) });
export const accepted = (body?: unknown): HttpResult => ({ status: 202, body });
export const noContent = (): HttpResult => ({ status: 204 });

export function toApiGatewayResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...result.headers };
  if (result.body === undefined) return { statusCode: result.status, headers };
  headers['content-type'] = 'application/json; charset=utf-8';
  return { statusCode: result.status, headers, body: JSON.stringify(result.body) };
}
