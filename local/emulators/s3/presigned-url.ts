/**
 * Presigned URLs (query-string auth) as S3 checks them before serving one: parameters present,
 * credential scope, expiry, then the signature, recomputed by presigning the same request again
 * with the AWS SDK's signer.
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html}
 */
import type { IncomingHttpHeaders } from 'node:http';
import { escapeUri } from '@smithy/core/protocols';
import { ALGORITHM_IDENTIFIER, MAX_PRESIGNED_TTL, SHA256_HEADER, SIGNATURE_QUERY_PARAM, UNSIGNED_PAYLOAD } from '@smithy/signature-v4';
import { S3Error } from './s3-error.js';
import { checkCredential, s3Signer, signatureDoesNotMatch, signaturesMatch, type SigningContext } from './sigv4.js';

/**
 * @returns undefined when the request may pass, else the S3 error to answer with.
 * @example
 * const refusal = await verifyPresignedRequest({ method: 'GET', url: req.url, headers: req.headers }, context);
 */
export async function verifyPresignedRequest(
  request: { method: string; url: string; headers: IncomingHttpHeaders },
  context: SigningContext,
): Promise<S3Error | undefined> {
  const queryStart = request.url.indexOf('?');
  const path = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : request.url.slice(queryStart + 1));
  const algorithm = query.get('X-Amz-Algorithm');
  const credential = query.get('X-Amz-Credential');
  const amzDate = query.get('X-Amz-Date');
  const expires = query.get('X-Amz-Expires');
  const signedHeaders = query.get('X-Amz-SignedHeaders');
  const signature = query.get(SIGNATURE_QUERY_PARAM);
  if (!algorithm || !credential || !amzDate || !expires || !signedHeaders || !signature) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  if (algorithm !== ALGORITHM_IDENTIFIER) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  }
  const signed = checkCredential(credential, amzDate, context);
  if (signed instanceof S3Error) return signed;
  const lifetime = Number(expires);
  if (!Number.isInteger(lifetime) || lifetime < 0) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires should be a number');
  }
  if (lifetime > MAX_PRESIGNED_TTL) {
    return new S3Error('AuthorizationQueryParametersError', 400, 'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds');
  }
  const expiresAt = new Date(signed.signedAt.getTime() + lifetime * 1000);
  if (context.now > expiresAt) {
    return new S3Error('AccessDenied', 403, 'Request has expired', {
      'X-Amz-Expires': lifetime,
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(context.now),
    });
  }

  // The request as it was presigned: its query (the signer skips X-Amz-Signature and sets the other
  // X-Amz-* auth parameters from the options), the headers it names as signed, and the payload hash
  // S3 uses for presigned URLs, passed as a header the signer neither signs nor moves to the query.
  const signedHeaderNames = new Set(signedHeaders.split(';'));
  const headers: Record<string, string> = { [SHA256_HEADER]: query.get('X-Amz-Content-Sha256') ?? UNSIGNED_PAYLOAD };
  for (const name of signedHeaderNames) headers[name] = [request.headers[name] ?? ''].flat().join(',');
  const presigned = await s3Signer(context).presign(
    { method: request.method, protocol: 'http:', hostname: '127.0.0.1', path: canonicalPath(path), query: groupQuery(query), headers },
    {
      signingDate: signed.signedAt,
      signingRegion: signed.region,
      expiresIn: lifetime,
      signableHeaders: signedHeaderNames,
      unsignableHeaders: new Set([SHA256_HEADER]),
      unhoistableHeaders: new Set([...signedHeaderNames, SHA256_HEADER]),
    },
  );
  const expected = presigned.query?.[SIGNATURE_QUERY_PARAM];
  if (typeof expected !== 'string' || !signaturesMatch(expected, signature)) return signatureDoesNotMatch(signed.accessKeyId, signature);
  return undefined;
}

/** S3 signs the path encoded once, whatever encoding the client chose: decode, then re-encode. */
function canonicalPath(path: string): string {
  return path
    .split('/')
    .map((segment) => escapeUri(safeDecode(segment)))
    .join('/');
}

/** The signer's query shape: a repeated parameter becomes a list. */
function groupQuery(query: URLSearchParams): Record<string, string | string[]> {
  const grouped: Record<string, string | string[]> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    grouped[key] = values.length === 1 ? (values[0] ?? '') : values;
  }
  return grouped;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
