/**
 * Turns what s3rver emits into the S3 event notification record a Lambda trigger receives in the
 * cloud. s3rver's records are close but not the same: eventVersion 2.0, a fixed region, the key
 * not URL-encoded, an ARN with spaces, no eTag on copies, a millisecond sequencer that repeats,
 * and a completed multipart upload named ObjectCreated:Post.
 * {@link https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html}
 */
import type { S3EventRecord } from 'aws-lambda';

/** The part of s3rver 3.7.1's `'event'` records this module reads. */
export type S3rverEventRecord = {
  eventName: string;
  eventTime: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    bucket: { name: string; ownerIdentity: { principalId: string } };
    object: { key: string; size?: number; eTag?: string };
  };
};

/** What s3rver does not put in the record, taken from the request that caused it. */
export type TriggeringRequest = { readonly completesMultipartUpload: boolean; readonly sourceIp: string | undefined };

export type NotificationContext = {
  readonly region: string;
  readonly nextSequencer: () => string;
  /** s3rver leaves the eTag out of copy events: look it up. */
  readonly eTagOf: (bucket: string, key: string) => Promise<string>;
};

export async function toNotificationRecord(record: S3rverEventRecord, request: TriggeringRequest | undefined, context: NotificationContext): Promise<S3EventRecord> {
  const { bucket, object } = record.s3;
  const eventName = record.eventName === 'ObjectCreated:Post' && request?.completesMultipartUpload ? 'ObjectCreated:CompleteMultipartUpload' : record.eventName;
  const eTag = object.eTag ?? (await context.eTagOf(bucket.name, object.key));
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: context.region,
    eventTime: record.eventTime,
    eventName,
    userIdentity: record.userIdentity,
    requestParameters: { sourceIPAddress: request?.sourceIp ?? record.requestParameters.sourceIPAddress },
    responseElements: record.responseElements,
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'lambase-local',
      bucket: { name: bucket.name, ownerIdentity: bucket.ownerIdentity, arn: `arn:aws:s3:::${bucket.name}` },
      object: { key: encodeEventKey(object.key), size: object.size ?? 0, eTag: eTag.replace(/"/g, ''), sequencer: context.nextSequencer() },
    },
  };
}

/**
 * S3 puts keys in events form-encoded: spaces as `+`, everything but letters, digits, `-_.*` and
 * `/` percent-encoded. Handlers decode with `decodeURIComponent(key.replace(/\+/g, ' '))`.
 */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
    .replace(/%2F/g, '/');
}

/**
 * Sequencers as S3 documents them: hexadecimal, strictly increasing for one emulator (S3 only
 * promises order per key, so comparing is enough).
 */
export function createSequencer(): () => string {
  let last = 0n;
  return () => {
    const candidate = BigInt(Date.now()) << 16n;
    last = candidate > last ? candidate : last + 1n;
    return last.toString(16).toUpperCase().padStart(16, '0');
  };
}
