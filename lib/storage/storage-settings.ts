/**
 * Bucket settings shared by the CDK bucket and local mode's S3, so a browser request refused in
 * the cloud is refused locally too.
 */

/** What browsers may do on the files bucket from the allowed origins (uploads are form POSTs). */
export const STORAGE_CORS = {
  allowedMethods: ['POST', 'GET', 'HEAD'] as const,
  allowedHeaders: ['*'],
  exposedHeaders: ['ETag'],
  maxAgeSeconds: 600,
};
