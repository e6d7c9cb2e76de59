/**
 * Counts the DynamoDB calls and consumed capacity of each request, so logs, metrics and the
 * benchmark can see what every API operation costs. The DynamoDB client reports into the
 * request's own scope (AsyncLocalStorage), which the HTTP stack opens around each invocation;
 * outside one (triggers), calls are not counted.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDbMeter } from '../adapters/aws-clients.js';
import { logger } from './logger.js';
import { metricsPublished } from './metrics.js';

/** `capacityUnits` = `readUnits` + `writeUnits`: on-demand bills read and write request units apart. */
export type DynamoDbUsage = { calls: number; capacityUnits: number; readUnits: number; writeUnits: number; operations: Record<string, number> };

/** The operations that consume read units; every other one (puts, updates, deletes, write transactions) consumes write units. */
const READ_OPERATIONS = new Set(['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems']);

const scope = new AsyncLocalStorage<DynamoDbUsage>();

/** Runs `fn` with a fresh usage record, returned by `currentUsage()` inside it. */
export function withUsageScope<T>(fn: () => Promise<T>): Promise<T> {
  return scope.run({ calls: 0, capacityUnits: 0, readUnits: 0, writeUnits: 0, operations: {} }, fn);
}

export function currentUsage(): DynamoDbUsage | undefined {
  return scope.getStore();
}

type Capacity = { CapacityUnits?: number } | { CapacityUnits?: number }[] | undefined;

/**
 * Called after each DynamoDB request: counts it into the current invocation's record, if any.
 */
function recordDynamoDbCall(operation: string, consumed: Capacity): void {
  const usage = scope.getStore();
  if (!usage) return;
  usage.calls += 1;
  usage.operations[operation] = (usage.operations[operation] ?? 0) + 1;
  const units = [consumed ?? []].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
  usage.capacityUnits += units;
  if (READ_OPERATIONS.has(operation)) usage.readUnits += units;
  else usage.writeUnits += units;
}

/**
 * Whether an invocation's capacity units are read by anyone: the CloudWatch metric (in Lambda), the
 * request's log line (INFO), or the benchmark's header (`LAMBASE_REPORT_USAGE`). Local mode logs at
 * WARN and publishes no metrics, so its requests do not ask DynamoDB Local for capacity.
 */
function capacityWanted(): boolean {
  return process.env.LAMBASE_REPORT_USAGE === 'true' || metricsPublished() || logger.isEnabled('INFO');
}

/** The meter the wiring files give the DynamoDB client (functions/adapters/aws-clients.ts `DynamoDbMeter`). */
export const dynamoDbMeter: DynamoDbMeter = { record: recordDynamoDbCall, capacityWanted };
