/**
 * HTTP API settings shared by the CDK API and the local gateway, so both answer alike.
 */


export const CORS = {
  allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
  exposeHeaders: ['etag', 'x-request-id'],
  allowMethods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
  maxAgeSeconds: 600,
} as const;

/**
 * Public auth routes that send email or test passwords get a tight throttle of their own, so a
 * script cannot drain the account's email quota or hammer sign-in at the stage's rate.
 */
export const PUBLIC_AUTH_THROTTLE = { rateLimit: 5, burstLimit: 10 } as const;

/** API Gateway's own bodies, which clients see when the gateway answers before any function. */
export const GATEWAY_RESPONSES = {
  unauthorized: { status: 401, body: { message: 'Unauthorized' } },
  throttled: { status: 429, body: { message: 'Too Many Requests' } },
  tooLarge: { status: 413, body: { message: 'Request Entity Too Large' } },
} as const;

/** API Gateway HTTP APIs accept request bodies up to 10 MB. */
export const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
