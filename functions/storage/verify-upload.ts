/**
 * S3 object-created trigger for `files/`: checks each uploaded object against its file record
 * (key, size, Content-Type) and marks the file `ready`, or deletes the object and marks the file
 * `rejected`. Safe under redelivery; a failure is thrown so that Lambda retries the event (and
 * finally hands it to the dead-letter queue).
 */
import middy from '@middy/core';
import type { S3Event } from 'aws-lambda';
import { decodeS3EventKey } from '../core/storage/s3-event-key.js';
import { verifyUpload } from '../core/storage/verify-upload.js';
import { ENV, requireEnv } from '../shared/env.js';
import { logger, loggerContext } from '../shared/logger.js';
import { systemClock } from '../core/clock.js';
import { fileRecords, storedObjects } from './storage-wiring.js';

const deps = { records: fileRecords(), objects: storedObjects(), clock: systemClock };
const bucket = requireEnv(ENV.bucketName);

async function verifyUploads(event: S3Event): Promise<void> {
  const failures: unknown[] = [];
  for (const record of event.Records ?? []) {
    if (!record.eventName.startsWith('ObjectCreated:')) continue;
    if (record.s3.bucket.name !== bucket) {
      logger.warn('event from another bucket ignored', { bucket: record.s3.bucket.name });
      continue;
    }
    const key = decodeS3EventKey(record.s3.object.key);
    try {
      const result = await verifyUpload(deps, key);
      logger.info('upload checked', { key, ...result });
    } catch (error) {
      logger.error('upload check failed', { key, error: error as Error });
      failures.push(error);
    }
  }
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} upload check(s) failed`);
}

export const handler = middy<S3Event, void>()
  .use(loggerContext())
  .handler(verifyUploads);
