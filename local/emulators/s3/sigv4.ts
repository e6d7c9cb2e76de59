/**
 * What the two signature checks (presigned URLs, presigned POST policies) share: the AWS SDK's own
 * Signature Version 4 signer, set up as S3 uses it, and S3's answers for a bad credential or signature.
 * The signing itself (canonical request, signing key, HMACs) is @smithy/signature-v4's.
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html}
 */
import { timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Error } from './s3-error.js';

export type AccessKey = { readonly accessKeyId: string; readonly secretAccessKey: string };

/** What every signature is checked against: the emulator's one key pair and region, and now. */
export type SigningContext = { readonly credentials: AccessKey; readonly region: string; readonly now: Date };

/** A credential that names the emulator's key, region and s3, dated like the request. */
export type CheckedCredential = { readonly accessKeyId: string; readonly region: string; readonly signedAt: Date };

/** The signer the S3 client presigns with: the path signed as sent (S3 does not escape it twice). */
export function s3Signer(context: SigningContext): SignatureV4 {
  return new SignatureV4({ service: 's3', region: context.region, credentials: context.credentials, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
}

/**
 * Checks an X-Amz-Date and X-Amz-Credential against the emulator's key and region, returning who
 * signed when, or the error S3 gives (a wrong region would fail in the cloud too).
 */
export function checkCredential(credential: string, amzDate: string, context: SigningContext): CheckedCredential | S3Error {
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    return new S3Error('AuthorizationQueryParametersError', 400, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
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
  return { accessKeyId, region, signedAt };
}

/** `20240102T030405Z` → Date; undefined when malformed or not a real date (S3 refuses February 31st). */
function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hours, minutes, seconds] = match;
  const iso = `${year}-${month}-${day}T${hours}:${minutes}:${seconds}.000Z`;
  const date = new Date(iso);
  return !Number.isNaN(date.getTime()) && date.toISOString() === iso ? date : undefined;
}

/** Compares hex signatures in constant time (case-insensitively, as S3 does). */
export function signaturesMatch(expectedHex: string, providedHex: string): boolean {
  const expected = Buffer.from(expectedHex.toLowerCase(), 'utf8');
  const provided = Buffer.from(providedHex.toLowerCase(), 'utf8');
  return expected.length === provided.length && timingSafeEqual(expected, provided);
}

/** S3's refusal; StringToSign is only given when it is known here (the policy of a POST). */
export function signatureDoesNotMatch(accessKeyId: string, signatureProvided: string, stringToSign?: string): S3Error {
  return new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
    AWSAccessKeyId: accessKeyId,
    SignatureProvided: signatureProvided,
    ...(stringToSign === undefined ? {} : { StringToSign: stringToSign, StringToSignBytes: hexBytes(stringToSign) }),
  });
}

function hexBytes(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
}
