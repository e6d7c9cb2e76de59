/**
 * One CORS rule per bucket, from the allowed origins in the backend config: s3rver answers
 * preflights and forwarded requests from it; the front adds the same headers to the errors it
 * answers itself, so a browser can read why an upload was refused.
 */
import { escapeXml } from './s3-error.js';

const ALLOWED_METHODS = ['POST', 'GET', 'HEAD', 'PUT'] as const;
const EXPOSED_HEADERS = ['ETag'] as const;

export function corsConfigurationXml(allowedOrigins: readonly string[]): string {
  const elements = (name: string, values: readonly string[]): string => values.map((value) => `<${name}>${escapeXml(value)}</${name}>`).join('');
  return [
    '<CORSConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><CORSRule>',
    elements('AllowedOrigin', allowedOrigins),
    elements('AllowedMethod', ALLOWED_METHODS),
    elements('AllowedHeader', ['*']),
    elements('ExposeHeader', EXPOSED_HEADERS),
    '</CORSRule></CORSConfiguration>',
  ].join('');
}

/** The headers S3 adds to an actual (non-preflight) response for an origin its rule allows. */
export function corsResponseHeaders(allowedOrigins: readonly string[], origin: string | undefined): Record<string, string> {
  const rule = origin === undefined ? undefined : allowedOrigins.find((pattern) => originMatches(pattern, origin));
  if (origin === undefined || rule === undefined) return {};
  return {
    'access-control-allow-origin': rule === '*' ? '*' : origin,
    'access-control-allow-methods': ALLOWED_METHODS.join(', '),
    'access-control-expose-headers': EXPOSED_HEADERS.join(', '),
    ...(rule === '*' ? {} : { 'access-control-allow-credentials': 'true' }),
    vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
  };
}

/** S3 allows one `*` wildcard in an AllowedOrigin, e.g. `https://*.example.com`. */
function originMatches(pattern: string, origin: string): boolean {
  if (!pattern.includes('*')) return pattern === origin;
  const [head = '', tail = ''] = pattern.split('*');
  return origin.length >= head.length + tail.length && origin.startsWith(head) && origin.endsWith(tail);
}
