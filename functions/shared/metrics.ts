/**
 * CloudWatch metrics in Embedded Metric Format: what each route costs in DynamoDB. One EMF line
 * on stdout per request; CloudWatch Logs turns it into the `DynamoDBCalls` and
 * `DynamoDBCapacityUnits` metrics (namespace `Lambase`, dimensions service and route).
 * Our own rather than Powertools' Metrics: two metrics do not need its ~12 KB.
 * Written only inside Lambda (`AWS_LAMBDA_FUNCTION_NAME` set), and not with
 * `POWERTOOLS_METRICS_DISABLED=true` (local mode sets it): tests and tools print none.
 */

const NAMESPACE = 'Lambase';

/** Whether this environment writes the metrics: inside Lambda, unless `POWERTOOLS_METRICS_DISABLED=true`. */
export function metricsPublished(): boolean {
  return process.env.AWS_LAMBDA_FUNCTION_NAME !== undefined && process.env.POWERTOOLS_METRICS_DISABLED !== 'true';
}

export function publishDynamoDbUsage(route: string, usage: { calls: number; capacityUnits: number }): void {
  if (!metricsPublished()) return;
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
