/**
 * s3rver answers ListObjectsV2 with HTTP 500 on Node ≥ 17 as soon as a listing is truncated: its
 * continuation tokens are DES-encrypted and OpenSSL 3 dropped DES. The front asks s3rver for the
 * equivalent V1 listing (marker = where the token points) and answers in V2's shape, with tokens
 * of its own.
 */
import { S3Error } from './s3-error.js';

export type ListObjectsV2Request = {
  /** The V1 request path and query to send to s3rver instead. */
  readonly v1Url: string;
  readonly continuationToken: string | undefined;
  readonly startAfter: string | undefined;
  readonly fetchOwner: boolean;
};

/** GET `/<bucket>?list-type=2…` with no other sub-resource. */
export function isListObjectsV2(method: string, path: string, query: URLSearchParams): boolean {
  return method === 'GET' && /^\/[^/]+\/?$/.test(path) && query.get('list-type') === '2';
}

export function toListObjectsV1(path: string, query: URLSearchParams): ListObjectsV2Request | S3Error {
  const continuationToken = query.get('continuation-token') ?? undefined;
  const startAfter = query.get('start-after') ?? undefined;
  const fetchOwner = query.get('fetch-owner') === 'true';
  const v1 = new URLSearchParams(query);
  for (const name of ['list-type', 'continuation-token', 'start-after', 'fetch-owner']) v1.delete(name);
  const marker = continuationToken === undefined ? startAfter : keyOfToken(continuationToken);
  if (marker === '') {
    return new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  if (marker !== undefined) v1.set('marker', marker);
  const search = v1.toString();
  return { v1Url: search === '' ? path : `${path}?${search}`, continuationToken, startAfter, fetchOwner };
}

/** Rewrites s3rver's V1 ListBucketResult into the V2 one the request asked for. */
export function toListObjectsV2Xml(v1Xml: string, request: ListObjectsV2Request): string {
  const keyCount = count(v1Xml, '<Contents>') + count(v1Xml, '<CommonPrefixes>');
  const truncated = v1Xml.includes('<IsTruncated>true</IsTruncated>');
  // s3rver pages on object keys (common prefixes never end a page), so the last key is the marker.
  const lastKey = [...v1Xml.matchAll(/<Key>([^<]*)<\/Key>/g)].at(-1)?.[1];
  const element = (name: string, value: string | number | undefined): string => (value === undefined ? '' : `<${name}>${value}</${name}>`);
  const v2Fields = [
    element('StartAfter', request.continuationToken === undefined ? request.startAfter && escapeText(request.startAfter) : undefined),
    element('ContinuationToken', request.continuationToken && escapeText(request.continuationToken)),
    element('NextContinuationToken', truncated && lastKey !== undefined ? tokenOfKey(unescapeText(lastKey)) : undefined),
    element('KeyCount', keyCount),
  ].join('');
  let xml = v1Xml.replace(/<Marker(?:\/>|>[^<]*<\/Marker>)/, '').replace(/<NextMarker(?:\/>|>[^<]*<\/NextMarker>)/, '');
  if (!request.fetchOwner) xml = xml.replace(/<Owner>.*?<\/Owner>/gs, '');
  return xml.replace(/<Prefix(?:\/>|>[^<]*<\/Prefix>)/, (prefix) => prefix + v2Fields);
}

function tokenOfKey(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function keyOfToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** s3rver escapes with the `he` library: named entities and hexadecimal references. */
function unescapeText(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(Number.parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(Number.parseInt(body.slice(1), 10));
    return named[body] ?? entity;
  });
}
