/**
 * DynamoDB failures in domain terms: throttling becomes 429 TooManyRequests (the client retries
 * first); everything else stays an unexpected error (a generic 500).
 */
import { TooManyRequestsError } from '../core/errors.js';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);

/** Whether `error` is DynamoDB (or the SDK) saying "slow down". */
export function isThrottling(error: unknown): boolean {
  return THROTTLING.has((error as { name?: string })?.name ?? '');
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** Rethrows `error`, translated when it has a meaning for the client. */
export function rethrowDynamoDbError(error: unknown): never {
  if (isThrottling(error)) throw new TooManyRequestsError(undefined, { cause: error });
  throw error;
}

/** Runs a conditional write: true when it was made, false when its condition refused it. */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    return rethrowDynamoDbError(error);
  }
}
