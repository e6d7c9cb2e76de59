/**
 * One CORS rule per bucket (local mode passes the cloud bucket's, lib/storage/storage-settings.ts):
 * s3rver answers preflights and forwarded requests from it; the front adds the same headers to the
 * errors it answers itself, so a browser can read why an upload was refused.
 */
import { escapeXml } from './s3-error.js';

/** A bucket's one CORS rule, as S3 keeps it. */
export type CorsRule = {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
};

/** What a bucket definition may leave out. */
export const DEFAULT_CORS = {
  allowedMethods: ['POST', 'GET', 'HEAD', 'PUT'],
  allowedHeaders: ['*'],
  exposedHeaders: ['ETag'],
} as const;

export function corsConfigurationXml(rule: CorsRule): string {
  const elements = (name: string, values: readonly string[]): string => values.map((value) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return [
    '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule>',
    elements('AllowedOrigin', rule.allowedOrigins),
    elements('AllowedMethod', rule.allowedMethods),
    elements('AllowedHeader', rule.allowedHeaders),
    elements('ExposeHeader', rule.exposedHeaders),
    rule.maxAgeSeconds === undefined ? '' : `<MaxAgeSeconds>${rule.maxAgeSeconds}</MaxAgeSeconds>`,
    '</CORSRule></CORSConfiguration>',
  ].join('');
}

/** The headers S3 adds to an actual (non-preflight) response for an origin its rule allows. */
export function corsResponseHeaders(rule: CorsRule | undefined, origin: string | undefined): Record<string, string> {
  const pattern = origin === undefined || !rule ? undefined : rule.allowedOrigins.find((candidate) => originMatches(candidate, origin));
  if (origin === undefined || !rule || pattern === undefined) return {};
  return {
    'access-control-allow-origin': pattern === '*' ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    ...(rule.exposedHeaders.length ? { 'access-control-expose-headers': rule.exposedHeaders.join(', ') } : {}),
    ...(rule.maxAgeSeconds === undefined ? {} : { 'access-control-max-age': String(rule.maxAgeSeconds) }),
    ...(pattern === '*' ? {} : { 'access-control-allow-credentials': 'true' }),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** S3 allows one `*` wildcard in an AllowedOrigin, e.g. `https://*.example.com`. */
function originMatches(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return pattern === origin;
  const [head = '', tail = ''] = pattern.split('*');
  return origin.length >= head.length + tail.length && origin.startsWith(head) && origin.endsWith(tail);
}
