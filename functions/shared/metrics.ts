/**
 * CloudWatch metrics in Embedded Metric Format: what each route costs in DynamoDB. One EMF line
 * on stdout per request; CloudWatch Logs turns it into the `DynamoDBCalls` and
 * `DynamoDBCapacityUnits` metrics (namespace `Lambase`, dimensions service and route).
 * Our own rather than Powertools' Metrics: two metrics do not need its ~12 KB.
 * Written only inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), and not with
 * `POWERTOOLS_METRICS_DISABLED=true` (local mode sets it): tests and tools print none.
 */
import type { DynamoDbUsage } from './dynamodb-usage.js';

const NAMESPACE = 'Lambase';

export function publishDynamoDbUsage(route: string, usage: DynamoDbUsage): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME || process.env.POWERTOOLS_METRICS_DISABLED === 'true') return;
  const metrics = [
    { Name: 'DynamoDBCalls', Unit: 'Count' },
    { Name: 'DynamoDBCapacityUnits', Unit: 'Count' },
  ];
  const line = {
    _aws: { Timestamp: Date.now(), CloudWatchMetrics: [{ Namespace: NAMESPACE, Dimensions: [['service', 'route']], Metrics: metrics }] },
    service: process.env.POWERTOOLS_SERVICE_NAME ?? 'lambase',
    route,
    DynamoDBCalls: usage.calls,
    DynamoDBCapacityUnits: usage.capacityUnits,
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
}
