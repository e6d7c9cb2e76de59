/**
 * s3rver 3.7.1, in-process on 127.0.0.1 and a random port, behind the front. It keeps the objects
 * (as files under the data directory) and answers every S3 call the front passes through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { request as httpRequest, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { S3rverEventRecord, TriggeringRequest } from './object-created-events.js';

/** The part of s3rver's (untyped, CommonJS) API used here; it is a Koa application. */
type KoaContext = { method: string; query: Record<string, unknown>; get(field: string): string };
type S3rverApp = {
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: 'event', listener: (event: { Records: S3rverEventRecord[] }) => void): unknown;
  httpServer?: Server;
};
type S3rverOptions = {
  address: string;
  port: number;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string; configs: string[] }[];
};
const requireCjs = createRequire(import.meta.url);
const S3rver = requireCjs('s3rver') as new (options: S3rverOptions) => S3rverApp;
/** s3rver's one account; the key ids it accepts are registered on it (process-wide, as in s3rver). */
const s3rverAccount = (requireCjs('s3rver/lib/models/account') as { DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void } })
  .DUMMY_ACCOUNT;

export type S3rverStore = {
  readonly port: number;
  /** The stored object's ETag (quoted), read with an unsigned HEAD. */
  eTagOf(bucket: string, key: string): Promise<string>;
  close(): Promise<void>;
};

/**
 * @param options.onRecord called synchronously inside s3rver's request handling, with the request
 *   that caused the record and a way to read the object's ETag; it must not throw.
 */
export async function startS3rverStore(options: {
  dataDir: string;
  /** Accepted besides s3rver's own S3RVER key (which it checks by id only: the front checks signatures). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  buckets: readonly { name: string; corsXml: string | undefined }[];
  onRecord: (record: S3rverEventRecord, request: TriggeringRequest | undefined, eTagOf: S3rverStore['eTagOf']) => void;
}): Promise<S3rverStore> {
  s3rverAccount.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const app = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: options.dataDir,
    silent: true,
    configureBuckets: options.buckets.map(({ name, corsXml }) => ({ name, configs: corsXml === undefined ? [] : [corsXml] })),
  });
  // s3rver's records do not say which request made them; remember it for the length of each request.
  // Koa composes `middleware` when the server starts, so this one runs first, around the rest.
  const requests = new AsyncLocalStorage<TriggeringRequest>();
  app.middleware.unshift((ctx, next) =>
    requests.run({ completesMultipartUpload: ctx.method === 'POST' && 'uploadId' in ctx.query, sourceIp: ctx.get('x-forwarded-for') || undefined }, next),
  );
  const eTagOf = (bucket: string, key: string): Promise<string> => headETag(port, `/${[bucket, ...key.split('/')].map(encodeURIComponent).join('/')}`);
  app.on('event', (event) => {
    for (const record of event.Records) options.onRecord(record, requests.getStore(), eTagOf);
  });
  const { port } = await app.run();
  return {
    port,
    eTagOf,
    async close() {
      const closed = app.close();
      app.httpServer?.closeAllConnections();
      await closed;
    },
  };
}

function headETag(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, method: 'HEAD', path, agent: false }, (response) => {
      response.resume();
      const eTag = response.headers.etag;
      if (response.statusCode === 200 && eTag !== undefined) resolve(eTag);
      else reject(new Error(`HEAD ${path} answered ${response.statusCode} without an ETag`));
    })
      .on('error', reject)
      .end();
  });
}
