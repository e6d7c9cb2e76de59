/**
 * The checks S3 makes on a browser form upload (presigned POST) before it stores anything: the
 * policy's SigV4 signature, its expiration, every condition, no unlisted field, and the size range.
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html}
 */
import { ALGORITHM_IDENTIFIER } from '@smithy/signature-v4';
import { S3Error } from './s3-error.js';
import { checkCredential, s3Signer, signatureDoesNotMatch, signaturesMatch, type SigningContext } from './sigv4.js';

export type FormUpload = {
  readonly bucket: string;
  /** The fields sent before the file, by lower-cased name: S3 matches field names case-insensitively. */
  readonly fields: ReadonlyMap<string, string>;
  readonly fileSize: number;
};

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; min: number; max: number };

/** Fields a policy never has to mention (S3 docs: "except x-amz-signature, file, policy and x-ignore-*"). */
const EXEMPT_FIELDS: ReadonlySet<string> = new Set(['x-amz-signature', 'file', 'policy']);
const SIGNATURE_FIELDS = ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature'] as const;

/**
 * @returns undefined when S3 would accept the upload, else the error it would answer with.
 * @example
 * const refusal = await verifyPostPolicy({ bucket, fields, fileSize: file.size }, { credentials, region, now: new Date() });
 */
export async function verifyPostPolicy(upload: FormUpload, context: SigningContext): Promise<S3Error | undefined> {
  const { fields } = upload;
  const policy = fields.get('policy');
  // Without a policy the upload is anonymous, which only a public-write bucket accepts.
  if (policy === undefined) return new S3Error('AccessDenied', 403, 'Access Denied');
  for (const name of SIGNATURE_FIELDS) {
    if (!fields.has(name)) {
      return new S3Error('InvalidArgument', 400, `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: name, ArgumentValue: '' });
    }
  }
  const field = (name: (typeof SIGNATURE_FIELDS)[number]): string => fields.get(name) ?? '';
  if (field('x-amz-algorithm') !== ALGORITHM_IDENTIFIER) {
    return new S3Error('InvalidArgument', 400, 'Only AWS4-HMAC-SHA256 is supported for x-amz-algorithm.', { ArgumentName: 'x-amz-algorithm', ArgumentValue: field('x-amz-algorithm') });
  }
  const signed = checkCredential(field('x-amz-credential'), field('x-amz-date'), context);
  if (signed instanceof S3Error) return signed;
  // The policy's signature is the base64 policy itself signed with the day's SigV4 signing key.
  const expected = await s3Signer(context).sign(policy, { signingDate: signed.signedAt, signingRegion: signed.region });
  if (!signaturesMatch(expected, field('x-amz-signature'))) {
    return signatureDoesNotMatch(signed.accessKeyId, field('x-amz-signature'), policy);
  }

  const document = parsePolicy(policy);
  if (document instanceof S3Error) return document;
  if (context.now.getTime() > document.expiration.getTime()) {
    return new S3Error('AccessDenied', 403, 'Invalid according to Policy: Policy expired.');
  }
  for (const condition of document.conditions) {
    if (condition.kind === 'content-length-range') continue;
    const actual = condition.field === 'bucket' ? upload.bucket : (fields.get(condition.field) ?? '');
    const holds = condition.kind === 'eq' ? actual === condition.value : actual.startsWith(condition.value);
    if (!holds) return new S3Error('AccessDenied', 403, `Invalid according to Policy: Policy Condition failed: ${condition.text}`);
  }
  const covered = new Set(document.conditions.flatMap((condition) => ('field' in condition ? [condition.field] : [])));
  const extra = [...fields.keys()].filter((name) => !EXEMPT_FIELDS.has(name) && !name.startsWith('x-ignore-') && !covered.has(name));
  if (extra.length > 0) {
    return new S3Error('AccessDenied', 403, `Invalid according to Policy: Extra input fields: ${extra.join(', ')}`);
  }
  for (const condition of document.conditions) {
    if (condition.kind !== 'content-length-range') continue;
    if (upload.fileSize > condition.max) {
      return new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', { ProposedSize: upload.fileSize, MaxSizeAllowed: condition.max });
    }
    if (upload.fileSize < condition.min) {
      return new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: upload.fileSize, MinSizeAllowed: condition.min });
    }
  }
  return undefined;
}

function parsePolicy(base64: string): { expiration: Date; conditions: Condition[] } | S3Error {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return invalidPolicy('Invalid JSON.');
  }
  if (typeof document !== 'object' || document === null) return invalidPolicy('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) return invalidPolicy('Policy missing expiration.');
  const expiresAt = typeof expiration === 'string' ? new Date(expiration) : new Date(Number.NaN);
  if (Number.isNaN(expiresAt.getTime())) return invalidPolicy(`Invalid 'expiration' value: '${String(expiration)}'`);
  if (!Array.isArray(conditions)) return invalidPolicy('Policy missing conditions.');
  const parsed: Condition[] = [];
  for (const condition of conditions as unknown[]) {
    const one = parseCondition(condition);
    if (one instanceof S3Error) return one;
    parsed.push(one);
  }
  return { expiration: expiresAt, conditions: parsed };
}

/** `{ field: value }`, `["eq" | "starts-with", "$field", value]` or `["content-length-range", min, max]`. */
function parseCondition(condition: unknown): Condition | S3Error {
  if (Array.isArray(condition)) {
    const [operator, first, second] = condition as unknown[];
    const text = `[${condition.map((part) => JSON.stringify(part)).join(', ')}]`;
    const op = String(operator).toLowerCase();
    if (op === 'content-length-range' && condition.length === 3) {
      const min = Number(first);
      const max = Number(second);
      if (Number.isInteger(min) && Number.isInteger(max) && min >= 0 && max >= min) return { kind: op, min, max };
      return invalidPolicy(`Invalid content-length-range: ${text}`);
    }
    if ((op === 'eq' || op === 'starts-with') && condition.length === 3 && typeof first === 'string' && first.startsWith('$') && isScalar(second)) {
      return { kind: op, field: first.slice(1).toLowerCase(), value: String(second), text };
    }
    return invalidPolicy(`Invalid Condition: ${text}`);
  }
  if (typeof condition === 'object' && condition !== null) {
    const entries = Object.entries(condition);
    const [entry] = entries;
    if (entries.length === 1 && entry && isScalar(entry[1])) {
      const [name, value] = entry;
      return { kind: 'eq', field: name.toLowerCase(), value: String(value), text: `["eq", "$${name}", ${JSON.stringify(String(value))}]` };
    }
  }
  return invalidPolicy(`Invalid Simple-Condition: ${JSON.stringify(condition)}`);
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function invalidPolicy(reason: string): S3Error {
  return new S3Error('InvalidPolicyDocument', 400, `Invalid Policy: ${reason}`);
}
