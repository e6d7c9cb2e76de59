/**
 * Builds API Gateway HTTP API payload-v2.0 events, as the cloud delivers them to Lambda: lower-case
 * headers (repeated ones joined by commas), cookies apart, `rawQueryString`, `pathParameters`,
 * `requestContext.http`, and the JWT authorizer's claims with every value a string (arrays as
 * "[a b]"). The local gateway uses it for every request; tests use it as their event factory.
 */
import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';

export type HttpApiEventInput = {
  method: string;
  /** Path without query, e.g. "/data/notes/abc". */
  path: string;
  rawQueryString?: string;
  headers?: Record<string, string | string[] | undefined>;
  body?: Buffer | string;
  /** "POST /data/{collection}" or "$default". */
  routeKey: string;
  pathParameters?: Record<string, string>;
  /** Verified access-token claims (only on routes with the JWT authorizer). */
  claims?: Record<string, unknown>;
  scopes?: string[];
  sourceIp?: string;
  requestId?: string;
  now?: Date;
};

const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|x-www-form-urlencoded|javascript))/;

/** API Gateway's request ids look like "Ab3dEfGhIAMEbZw=": 14 characters plus "=". */
export function newRequestId(): string {
  return `${randomBytes(10).toString('base64').replace(/[+/=]/g, 'A').slice(0, 14)}=`;
}

export function buildHttpApiEvent(input: HttpApiEventInput): APIGatewayProxyEventV2WithJWTAuthorizer {
  const now = input.now ?? new Date();
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    const joined = Array.isArray(value) ? value.join(',') : value;
    if (key === 'cookie') cookies = joined.split(/;\s*/).filter(Boolean);
    else headers[key] = headers[key] ? `${headers[key]},${joined}` : joined;
  }
  const rawQueryString = input.rawQueryString ?? '';
  const query = new URLSearchParams(rawQueryString);
  const queryStringParameters: Record<string, string> = {};
  for (const key of new Set(query.keys())) queryStringParameters[key] = query.getAll(key).join(',');

  const bodyBuffer = input.body === undefined ? undefined : Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body);
  const isText = TEXT_TYPES.test(headers['content-type'] ?? 'application/json');
  const body = bodyBuffer && bodyBuffer.length > 0 ? (isText ? bodyBuffer.toString('utf8') : bodyBuffer.toString('base64')) : undefined;
  const requestId = input.requestId ?? newRequestId();

  const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
    version: '2.0',
    routeKey: input.routeKey,
    rawPath: input.path,
    rawQueryString,
    ...(cookies ? { cookies } : {}),
    headers,
    ...(rawQueryString ? { queryStringParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: input.claims
        ? { principalId: '', integrationLatency: 0, jwt: { claims: stringifyClaims(input.claims), scopes: input.scopes ?? [] } }
        : (undefined as never),
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: (headers.host ?? '127').split('.')[0]!,
      http: {
        method: input.method.toUpperCase(),
        path: input.path,
        protocol: 'HTTP/1.1',
        sourceIp: input.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: input.routeKey,
      stage: '$default',
      time: formatRequestTime(now),
      timeEpoch: now.getTime(),
    },
    ...(input.pathParameters && Object.keys(input.pathParameters).length ? { pathParameters: input.pathParameters } : {}),
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: body !== undefined && !isText,
  };
  if (!input.claims) delete (event.requestContext as { authorizer?: unknown }).authorizer;
  return event;
}

/** The JWT authorizer passes every claim as a string; arrays become "[a b]". */
export function stringifyClaims(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [key, Array.isArray(value) ? `[${value.join(' ')}]` : String(value)]),
  );
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "23/Nov/2026:20:32:12 +0000", API Gateway's requestContext.time format. */
export function formatRequestTime(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}
