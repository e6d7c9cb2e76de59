/**
 * Wires the trigger table (lib/triggers.ts) to its event sources: Cognito user-pool triggers,
 * S3 object-created notifications, the table's stream (document triggers and platform readers such
 * as the realtime fan-out, with Lambda event filters, partial batch failures and bisecting) and
 * EventBridge schedules. Events that still fail after their retries
 * land in one encrypted dead-letter queue.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BackendResources } from './functions/backend-resources.js';
import type { LambaseFunction } from './functions/lambase-function.js';
import type { TriggerDefinition } from './route-types.js';
import { documentFilterPatterns } from './triggers.js';

export type TriggersConstructProps = { resources: BackendResources; triggers: readonly TriggerDefinition[] };

const COGNITO_OPERATIONS = {
  PostConfirmation: UserPoolOperation.POST_CONFIRMATION,
  PreSignUp: UserPoolOperation.PRE_SIGN_UP,
  CustomMessage: UserPoolOperation.CUSTOM_MESSAGE,
} as const;

export class TriggersConstruct extends Construct {
  readonly functions = new Map<string, LambaseFunction>();
  readonly deadLetters: Queue | undefined;

  constructor(scope: Construct, id: string, props: TriggersConstructProps) {
    super(scope, id);
    const { resources } = props;
    if (props.triggers.length === 0) return;
    this.deadLetters = new Queue(this, 'DeadLetters', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetters).acknowledge(
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the triggers.' },
      { id: 'Serverless-SQSRedrivePolicy', reason: 'This queue is itself the dead-letter queue of the triggers.' },
    );
    // A failed event is worth a look: alarm as soon as one lands here.
    new Alarm(this, 'DeadLettersAlarm', {
      metric: this.deadLetters.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A trigger gave up on an event after its retries; see the dead-letter queue.',
    });
    const asyncFailures = new SqsDestination(this.deadLetters);

    for (const trigger of props.triggers) {
      if (trigger.source === 'cognito' && trigger.grants.some((grant) => grant.kind === 'userPool' || grant.kind === 'userPoolClient')) {
        // The pool would depend on the function (its trigger) and the function on the pool (its
        // id in the environment, its ARN in the policy): CloudFormation refuses the cycle.
        throw new Error(`Trigger ${trigger.name}: a Cognito trigger cannot be granted its own user pool; use the event's userPoolId instead.`);
      }
      const invokedAsync = trigger.source === 's3' || trigger.source === 'schedule';
      const fn = resources.createFunction(this, trigger, { onFailure: invokedAsync ? asyncFailures : undefined });
      this.functions.set(trigger.name, fn);
      switch (trigger.source) {
        case 'cognito':
          resources.auth.addTrigger(COGNITO_OPERATIONS[trigger.event], fn);
          break;
        case 's3':
          resources.storage.onObjectCreated(fn, trigger.prefix);
          break;
        case 'documents':
          fn.addEventSource(
            new DynamoEventSource(resources.data.table, {
              startingPosition: StartingPosition.LATEST,
              batchSize: trigger.batchSize ?? 100,
              maxBatchingWindow: Duration.seconds(1),
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              retryAttempts: 5,
              maxRecordAge: Duration.hours(24),
              onFailure: new SqsDlq(this.deadLetters),
              filters: documentFilterPatterns(trigger).map((pattern) => FilterCriteria.filter(pattern)),
            }),
          );
          break;
        case 'stream':
          // A platform reader (the realtime fan-out): no batching window, so changes go out as
          // soon as Lambda reads them; parallel batches per shard keep each key's order.
          fn.addEventSource(
            new DynamoEventSource(resources.data.table, {
              startingPosition: StartingPosition.LATEST,
              batchSize: trigger.batchSize ?? 100,
              parallelizationFactor: trigger.parallelization ?? 1,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              retryAttempts: 5,
              maxRecordAge: Duration.hours(1),
              onFailure: new SqsDlq(this.deadLetters),
              filters: trigger.filters.map((pattern) => FilterCriteria.filter(pattern)),
            }),
          );
          Validations.of(fn.role!).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: 'The stream event source mapping needs dynamodb:ListStreams, which IAM grants on * only; the stream itself is granted by its ARN.',
          });
          break;
        case 'schedule':
          new Rule(this, `Schedule-${trigger.name}`, {
            schedule: Schedule.expression(trigger.expression),
            targets: [new LambdaFunction(fn, { deadLetterQueue: this.deadLetters, retryAttempts: 2 })],
          });
          break;
      }
    }
  }
}
