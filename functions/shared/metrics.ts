/**
 * CloudWatch metrics in Embedded Metric Format (Powertools): what each route costs in DynamoDB.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDbUsage } from './dynamodb-usage.js';

const metrics = new Metrics({ namespace: 'Lambase', serviceName: 'lambase' });

export function publishDynamoDbUsage(route: string, usage: DynamoDbUsage): void {
  metrics.addDimension('route', route);
  metrics.addMetric('DynamoDBCalls', MetricUnit.Count, usage.calls);
  metrics.addMetric('DynamoDBCapacityUnits', MetricUnit.Count, usage.capacityUnits);
  metrics.publishStoredMetrics();
}
