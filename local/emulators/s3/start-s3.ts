/**
 * Local S3 for offline mode: s3rver keeps the objects, and a front server in front of it behaves
 * like S3 where the contract depends on it — it enforces presigned POST policies (size range,
 * exact Content-Type, key, expiry, signature) and presigned URL expiry and signatures, which no
 * emulator here does. Its URL is the one S3 endpoint everybody uses: SDK clients (with
 * {@link localS3ClientOptions}), presigned URLs and browsers.
 *
 * The other parts, in this folder: front-server (routing, forwarding), post-policy and presigned-url
 * (the checks, signed with the AWS SDK's SigV4 signer set up in sigv4), form-upload, aws-chunked,
 * list-objects-v2, bucket-cors, object-created-events, s3rver-store.
 */
import { mkdir } from 'node:fs/promises';
import type { S3EventRecord } from 'aws-lambda';
import { LOCAL_CREDENTIALS, type LocalCredentials } from '../local-credentials.js';
import { corsConfigurationXml, DEFAULT_CORS, type CorsRule } from './bucket-cors.js';
import { startFrontServer } from './front-server.js';
import { createSequencer, toNotificationRecord } from './object-created-events.js';
import { startS3rverStore } from './s3rver-store.js';

/** The record an S3 event notification delivers for one object (aws-lambda's S3EventRecord). */
export type S3ObjectCreatedRecord = S3EventRecord;

export type LocalS3 = {
  /** `http://127.0.0.1:<port>`: give it to SDK clients, presigners and browsers alike. */
  readonly endpoint: string;
  readonly region: string;
  /**
   * Hands every ObjectCreated:* record, shaped like S3's, to `listener` after the object is stored
   * (asynchronously, as in the cloud) until the returned function is called. Objects created while
   * nobody listens raise no event, like a bucket without notifications. A listener's throw is
   * reported on stderr and does not affect S3.
   */
  onObjectCreated(listener: (record: S3ObjectCreatedRecord) => void): () => void;
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
  /** The key pair clients sign with (local mode: the data folder's). @default LOCAL_CREDENTIALS */
  readonly credentials?: LocalCredentials;
};

/** The client options our adapters must use against the local endpoint. */
export const localS3ClientOptions = {
  forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED',
  responseChecksumValidation: 'WHEN_REQUIRED',
} as const;

/**
 * Starts s3rver on a random internal port, then the front on `port`.
 *
 * @example
 * const s3 = await startS3({ dataDir: '.lambase/s3', port: 4569, buckets: [{ name: 'lambase-files', allowedOrigins: ['http://localhost:5173'] }] });
 * const client = new S3Client({ endpoint: s3.endpoint, region: s3.region, credentials: LOCAL_CREDENTIALS, ...localS3ClientOptions });
 * // …
 * await s3.stop();
 */
export async function startS3(options: StartS3Options): Promise<LocalS3> {
  const region = options.region ?? 'us-east-1';
  const listeners = new Set<(record: S3ObjectCreatedRecord) => void>();
  await mkdir(options.dataDir, { recursive: true });

  const nextSequencer = createSequencer();
  const corsRules = new Map(options.buckets.flatMap((bucket) => (bucket.allowedOrigins.length > 0 ? [[bucket.name, corsRuleOf(bucket)] as const] : [])));
  const credentials = options.credentials ?? LOCAL_CREDENTIALS;
  const store = await startS3rverStore({
    dataDir: options.dataDir,
    credentials,
    buckets: options.buckets.map(({ name }) => {
      const rule = corsRules.get(name);
      return { name, corsXml: rule ? corsConfigurationXml(rule) : undefined };
    }),
    onRecord(record, request, eTagOf) {
      if (listeners.size === 0 || !record.eventName.startsWith('ObjectCreated:')) return;
      // A failing listener is reported here and must not fail the upload that caused the event.
      toNotificationRecord(record, request, { region, nextSequencer, eTagOf })
        .then((notification) => {
          for (const listener of listeners) listener(notification);
        })
        .catch((error: unknown) => console.error(`local S3: delivering ${record.eventName} for ${record.s3.object.key} failed`, error));
    },
  });

  const front = await startFrontServer({
    port: options.port ?? 0,
    storePort: store.port,
    region,
    credentials,
    corsRuleOf: (bucket) => corsRules.get(bucket),
  }).catch(async (error: unknown) => {
    await store.close();
    throw error;
  });

  return {
    endpoint: front.url,
    region,
    onObjectCreated(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
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
