/**
 * Signature Version 4 as S3 checks it, for the two kinds of request a browser sends without an SDK:
 * presigned URLs (query-string auth) and presigned POST forms (a signed policy).
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html}
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-post-example.html}
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error } from './s3-error.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/** The longest lifetime S3 accepts for a presigned URL: seven days. */
const MAX_PRESIGNED_EXPIRES_SECONDS = 604_800;

export type AccessKey = { readonly accessKeyId: string; readonly secretAccessKey: string };

/** What every signature is checked against: the emulator's one key pair and region, and now. */
export type SigningContext = { readonly credentials: AccessKey; readonly region: string; readonly now: Date };

/** `AKID/yyyymmdd/region/s3/aws4_request`, as sent in X-Amz-Credential. */
type CredentialScope = { accessKeyId: string; date: string; region: string; service: string };

export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const dateKey = hmac(`AWS4${secretAccessKey}`, date);
  return hmac(hmac(hmac(dateKey, region), service), 'aws4_request');
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

export function signaturesMatch(expectedHex: string, providedHex: string): boolean {
  const expected = Buffer.from(expectedHex, 'utf8');
  const provided = Buffer.from(providedHex.toLowerCase(), 'utf8');
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}

/**
 * Checks an X-Amz-Credential against the emulator's key and region and the request's X-Amz-Date,
 * returning its scope, or the error S3 gives (a wrong region would fail in the cloud too).
 */
export function checkCredential(credential: string, amzDate: string, context: SigningContext): CredentialScope | S3Error {
  const [accessKeyId, date, region, service, terminator, ...rest] = credential.split('/');
  if (!accessKeyId || !date || !region || service === undefined || terminator !== 'aws4_request' || rest.length > 0) {
    return new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  if (accessKeyId !== context.credentials.accessKeyId) {
    return new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  }
  if (region !== context.region) {
    return new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; the region '${region}' is wrong; expecting '${context.region}'`);
  }
  if (service !== 's3') {
    return new S3Error('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; incorrect service "${service}". This endpoint belongs to "s3".`);
  }
  if (date !== amzDate.slice(0, 8)) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'Invalid credential date. Date is not the same as X-Amz-Date.');
  }
  return { accessKeyId, date, region, service };
}

/** `20240102T030405Z` → Date; undefined when malformed. */
export function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match;
  const date = new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Verifies a presigned (query-string) request the way S3 does before serving it: parameters present,
 * credential scope, expiry, then the signature recomputed over the canonical request.
 *
 * @returns undefined when the request may pass, else the S3 error to answer with.
 * @example
 * const refusal = verifyPresignedRequest({ method: 'GET', url: req.url, headers: req.headers }, context);
 */
export function verifyPresignedRequest(
  request: { method: string; url: string; headers: IncomingHttpHeaders },
  context: SigningContext,
): S3Error | undefined {
  const [path = '/', rawQuery = ''] = splitOnce(request.url, '?');
  const query = parseQuery(rawQuery);
  const param = (name: string): string | undefined => query.find(([key]) => key === name)?.[1];
  const algorithm = param('X-Amz-Algorithm');
  const credential = param('X-Amz-Credential');
  const amzDate = param('X-Amz-Date');
  const expires = param('X-Amz-Expires');
  const signedHeaders = param('X-Amz-SignedHeaders');
  const signature = param('X-Amz-Signature');
  if (!algorithm || !credential || !amzDate || !expires || !signedHeaders || !signature) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (algorithm !== SIGV4_ALGORITHM) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    return new S3Error('AuthorizationQueryParametersError', 400, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  const scope = checkCredential(credential, amzDate, context);
  if (scope instanceof S3Error) return scope;
  const lifetime = Number(expires);
  if (!Number.isInteger(lifetime) || lifetime < 0) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires should be a number');
  }
  if (lifetime > MAX_PRESIGNED_EXPIRES_SECONDS) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
  }
  const expiresAt = new Date(signedAt.getTime() + lifetime * 1000);
  if (context.now > expiresAt) {
    return new S3Error('AccessDenied', 403, 'Request has expired', {
      'X-Amz-Expires': lifetime,
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(context.now),
    });
  }

  const headerNames = signedHeaders.split(';');
  const canonicalRequest = [
    request.method,
    canonicalUri(path),
    query
      .filter(([key]) => key !== 'X-Amz-Signature')
      .map(([key, value]) => [uriEncode(key), uriEncode(value)] as const)
      .sort(([a, av], [b, bv]) => (a === b ? compare(av, bv) : compare(a, b)))
      .map(([key, value]) => `${key}=${value}`)
      .join('&'),
    ...headerNames.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}`),
    '',
    signedHeaders,
    param('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
  ].join('\n');
  const stringToSign = [
    SIGV4_ALGORITHM,
    amzDate,
    `${scope.date}/${scope.region}/${scope.service}/aws4_request`,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const key = signingKey(context.credentials.secretAccessKey, scope.date, scope.region, scope.service);
  if (!signaturesMatch(hmacHex(key, stringToSign), signature)) {
    return signatureDoesNotMatch(scope.accessKeyId, stringToSign, signature, canonicalRequest);
  }
  return undefined;
}

export function signatureDoesNotMatch(accessKeyId: string, stringToSign: string, signatureProvided: string, canonicalRequest?: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
    AWSAccessKeyId: accessKeyId,
    StringToSign: stringToSign,
    SignatureProvided: signatureProvided,
    StringToSignBytes: hexBytes(stringToSign),
    ...(canonicalRequest === undefined ? {} : { CanonicalRequest: canonicalRequest, CanonicalRequestBytes: hexBytes(canonicalRequest) }),
  });
}

/** RFC 3986 encoding, as SigV4 wants: everything but A-Z a-z 0-9 - _ . ~ is percent-encoded. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** S3 signs the path encoded once, whatever encoding the client chose: decode, then re-encode. */
function canonicalUri(path: string): string {
  return path
    .split('/')
    .map((segment) => uriEncode(safeDecode(segment)))
    .join('/');
}

function parseQuery(rawQuery: string): [string, string][] {
  return rawQuery
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const [key = '', value = ''] = splitOnce(pair, '=');
      return [safeDecode(key.replace(/\+/g, ' ')), safeDecode(value.replace(/\+/g, ' '))];
    });
}

function canonicalHeaderValue(value: string | string[] | undefined): string {
  const values = Array.isArray(value) ? value : [value ?? ''];
  return values.map((one) => one.trim().replace(/\s+/g, ' ')).join(',');
}

function splitOnce(text: string, separator: string): [string, string?] {
  const index = text.indexOf(separator);
  return index === -1 ? [text] : [text.slice(0, index), text.slice(index + 1)];
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function hexBytes(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
