/**
 * Local S3 for offline mode: s3rver keeps the objects, and a front server in front of it behaves
 * like S3 where the contract depends on it — it enforces presigned POST policies (size range,
 * exact Content-Type, key, expiry, signature) and presigned URL expiry and signatures, which no
 * emulator here does. Its URL is the one S3 endpoint everybody uses: SDK clients (with
 * {@link localS3ClientOptions}), presigned URLs and browsers.
 *
 * Parts live in ./s3/: front-server (routing, forwarding), post-policy and presigned-url (the checks,
 * signed with the AWS SDK's SigV4 signer set up in sigv4), form-upload, aws-chunked,
 * list-objects-v2, bucket-cors, object-created-events, s3rver-store.
 */
import { mkdir } from 'node:fs/promises';
import type { S3EventRecord } from 'aws-lambda';
import { corsConfigurationXml, DEFAULT_CORS, type CorsRule } from './s3/bucket-cors.js';
import { startFrontServer } from './s3/front-server.js';
import { createSequencer, toNotificationRecord } from './s3/object-created-events.js';
import { startS3rverStore } from './s3/s3rver-store.js';

/** The record an S3 event notification delivers for one object (aws-lambda's S3EventRecord). */
export type S3ObjectCreatedRecord = S3EventRecord;

export type LocalS3 = {
  /** `http://127.0.0.1:<port>`: give it to SDK clients, presigners and browsers alike. */
  readonly endpoint: string;
  readonly region: string;
  /** s3rver only knows this key pair; signatures the front checks are made with it too. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Closes the front, then s3rver. Stored objects stay in dataDir. */
  stop(): Promise<void>;
};

/** A bucket and its one CORS rule (only origins are required; the rest defaults to DEFAULT_CORS). */
export type LocalBucket = {
  readonly name: string;
  /** Origins browsers may call from; none means no CORS rule at all. */
  readonly allowedOrigins: readonly string[];
  /** @default ['POST', 'GET', 'HEAD', 'PUT'] */
  readonly allowedMethods?: readonly string[];
  /** @default ['*'] */
  readonly allowedHeaders?: readonly string[];
  /** @default ['ETag'] */
  readonly exposedHeaders?: readonly string[];
  /** How long a browser may cache a preflight. @default unset */
  readonly maxAgeSeconds?: number;
};

export type StartS3Options = {
  /** Where objects are kept, one folder per bucket; created if missing, reused across restarts. */
  readonly dataDir: string;
  /** The front's port on 127.0.0.1. @default 0 (a free port: read `endpoint`) */
  readonly port?: number;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** Created if missing, each with its CORS rule. */
  readonly buckets: readonly LocalBucket[];
  /**
   * Receives every ObjectCreated:* record, shaped like S3's, after the object is stored
   * (asynchronously, as in the cloud). A throw is reported on stderr and does not affect S3.
   */
  readonly onObjectCreated?: (record: S3ObjectCreatedRecord) => void;
};

/** The client options our adapters must use against the local endpoint. */
export const localS3ClientOptions = {
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

/** s3rver accepts no other key; the front signs and verifies with the same. */
const LOCAL_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

/**
 * Starts s3rver on a random internal port, then the front on `port`.
 *
 * @example
 * const s3 = await startS3({ dataDir: '.lambase/s3', port: 4569, buckets: [{ name: 'lambase-files', allowedOrigins: ['http://localhost:5173'] }] });
 * const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: s3.credentials, ...localS3ClientOptions });
 * // …
 * await s3.stop();
 */
export async function startS3(options: StartS3Options): Promise<LocalS3> {
  const region = options.region ?? 'us-east-1';
  const { onObjectCreated } = options;
  await mkdir(options.dataDir, { recursive: true });

  const nextSequencer = createSequencer();
  const corsRules = new Map(options.buckets.flatMap((bucket) => (bucket.allowedOrigins.length > 0 ? [[bucket.name, corsRuleOf(bucket)] as const] : [])));
  const store = await startS3rverStore({
    dataDir: options.dataDir,
    buckets: options.buckets.map(({ name }) => {
      const rule = corsRules.get(name);
      return { name, corsXml: rule ? corsConfigurationXml(rule) : undefined };
    }),
    onRecord(record, request, eTagOf) {
      if (!onObjectCreated || !record.eventName.startsWith('ObjectCreated:')) return;
      // A failing consumer is reported here and must not fail the upload that caused the event.
      toNotificationRecord(record, request, { region, nextSequencer, eTagOf })
        .then(onObjectCreated)
        .catch((error: unknown) => console.error(`local S3: delivering ${record.eventName} for ${record.s3.object.key} failed`, error));
    },
  });

  const front = await startFrontServer({
    port: options.port ?? 0,
    storePort: store.port,
    region,
    credentials: LOCAL_CREDENTIALS,
    corsRuleOf: (bucket) => corsRules.get(bucket),
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });

  return {
    endpoint: front.url,
    region,
    credentials: LOCAL_CREDENTIALS,
    async stop() {
      await front.close();
      await store.close();
    },
  };
}

function corsRuleOf(bucket: LocalBucket): CorsRule {
  return {
    allowedOrigins: bucket.allowedOrigins,
    allowedMethods: bucket.allowedMethods ?? DEFAULT_CORS.allowedMethods,
    allowedHeaders: bucket.allowedHeaders ?? DEFAULT_CORS.allowedHeaders,
    exposedHeaders: bucket.exposedHeaders ?? DEFAULT_CORS.exposedHeaders,
    maxAgeSeconds: bucket.maxAgeSeconds,
  };
}
