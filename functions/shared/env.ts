/**
 * Environment keys, named once. The CDK function factory sets them, local mode sets them, the
 * functions read them through `requireEnv`, which fails fast and names the missing key.
 */
export const ENV = {
  stage: 'LAMBASE_STAGE',
  tableName: 'LAMBASE_TABLE_NAME',
  bucketName: 'LAMBASE_BUCKET_NAME',
  userPoolId: 'LAMBASE_USER_POOL_ID',
  userPoolClientId: 'LAMBASE_USER_POOL_CLIENT_ID',
  /** JSON: the SNS platform application ARN per push platform ('' until its credentials secret exists). */
  pushApplications: 'LAMBASE_PUSH_APPLICATIONS',
  /** JSON: the SNS topic ARN per topic of lambase.config.ts. */
  pushTopics: 'LAMBASE_PUSH_TOPICS',
  /** JSON: a user function's own settings (functions/sdk/function-settings.ts). */
  function: 'LAMBASE_FUNCTION',
  /** JSON: the event dispatcher's subscriptions, `[{ name, on }]` (lambase.config.ts names). */
  eventSubscriptions: 'LAMBASE_EVENT_SUBSCRIPTIONS',
  /** JSON: the deployed name of each user function the dispatcher may invoke. */
  functionNames: 'LAMBASE_FUNCTION_NAMES',
  /** The WebSocket API's `@connections` endpoint (its stage's callback URL; local mode's own endpoint locally). */
  realtimeEndpoint: 'LAMBASE_REALTIME_ENDPOINT',
} as const;

export type EnvKey = (typeof ENV)[keyof typeof ENV];

/** Reads a required variable; a missing one is a deployment bug, reported by name at cold start. */
export function requireEnv(key: EnvKey): string {
  const value = process.env[key];
  if (value === undefined || value === '') {
    throw new Error(`Missing environment variable ${key}: the stack (or local mode) must set it for this function.`);
  }
  return value;
}

/** Reads an optional variable. */
export function optionalEnv(key: EnvKey): string | undefined {
  const value = process.env[key];
  return value === undefined || value === '' ? undefined : value;
}
