/**
 * Wires the trigger table (lib/triggers.ts) to its event sources: Cognito user-pool triggers,
 * S3 object-created notifications, the table's stream (its two readers, the event dispatcher and
 * the realtime fan-out, each with Lambda event filters, partial batch failures and bisecting),
 * EventBridge Scheduler schedules, and the user functions the event dispatcher invokes. Events
 * that still fail after their retries land in one encrypted, alarmed dead-letter queue.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { UserPoolOperation } from 'aws-cdk-lib/aws-cognito';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { ContextAttribute, Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { BackendResources } from './functions/backend-resources.js';
import type { LambaseFunction } from './functions/lambase-function.js';
import type { ScheduleInput } from '../functions/core/events/lambase-events.js';
import type { TriggerDefinition } from './route-types.js';

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

    // Functions that invoke others (the event dispatcher) come last, once those exist.
    const ordered = [...props.triggers].sort((a, b) => Number(invokesOthers(a)) - Number(invokesOthers(b)));
    for (const trigger of ordered) {
      if (trigger.source === 'cognito' && trigger.grants.some((grant) => grant.kind === 'userPool' || grant.kind === 'userPoolClient')) {
        // The pool would depend on the function (its trigger) and the function on the pool (its
        // id in the environment, its ARN in the policy): CloudFormation refuses the cycle.
        throw new Error(`Trigger ${trigger.name}: a Cognito trigger cannot be granted its own user pool; use the event's userPoolId instead.`);
      }
      const invokedAsync = trigger.source === 's3' || trigger.source === 'schedule' || trigger.source === 'dispatched';
      const fn = resources.createFunction(this, trigger, { onFailure: invokedAsync ? asyncFailures : undefined });
      this.functions.set(trigger.name, fn);
      if (trigger.source === 'dispatched') resources.registerUserFunction(trigger.name, fn);
      switch (trigger.source) {
        case 'cognito':
          resources.auth.addTrigger(COGNITO_OPERATIONS[trigger.event], fn);
          break;
        case 's3':
          resources.storage.onObjectCreated(fn, trigger.prefix);
          break;
        case 'stream':
          fn.addEventSource(
            new DynamoEventSource(resources.data.table, {
              startingPosition: StartingPosition.LATEST,
              batchSize: trigger.batchSize ?? 100,
              maxBatchingWindow: trigger.batchingWindowSeconds ? Duration.seconds(trigger.batchingWindowSeconds) : undefined,
              // Several batches of one shard at once; Lambda keeps each item's changes in order.
              parallelizationFactor: trigger.parallelization ?? 1,
              bisectBatchOnError: true,
              reportBatchItemFailures: true,
              retryAttempts: 5,
              maxRecordAge: Duration.hours(trigger.maxRecordAgeHours ?? 24),
              onFailure: new SqsDlq(this.deadLetters),
              filters: trigger.filters.map((pattern) => FilterCriteria.filter(pattern)),
            }),
          );
          Validations.of(fn.role!).acknowledge({
            id: 'AwsSolutions-IAM5[Resource::*]',
            reason: 'The stream event source grants dynamodb:ListStreams, which IAM scopes to no resource; the stream reads themselves name this table\'s stream.',
          });
          break;
        case 'dispatched':
          break; // the dispatcher invokes it (its grant: `invoke`)
        case 'schedule': {
          // Scheduler fills in the time of each firing; the function makes it a ScheduledEvent.
          const input: ScheduleInput = { type: 'scheduled', schedule: trigger.name, scheduledAt: ContextAttribute.scheduledTime };
          // Its own role, which may invoke this one function (and send to the dead-letter queue).
          const role = new Role(this, `Schedule-${trigger.name}-Role`, {
            assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
          });
          Validations.of(role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(fn.node.defaultChild as CfnFunction)}.Arn>:*]`,
            reason: 'The Scheduler Lambda target grants invoke on its one function and that function\'s versions (":*"), no other function.',
          });
          const target = new LambdaInvoke(fn, {
            role,
            input: ScheduleTargetInput.fromObject(input),
            deadLetterQueue: this.deadLetters,
            // Delivery retries (Lambda then retries a failing run twice on its own); a firing an
            // hour late is dropped into the dead-letter queue rather than run out of its time.
            retryAttempts: 5,
            maxEventAge: Duration.hours(1),
          });
          new Schedule(this, `Schedule-${trigger.name}`, {
            schedule: ScheduleExpression.expression(trigger.expression),
            target,
            description: `Runs ${trigger.name} (lambase.config.ts)`,
          });
          break;
        }
      }
    }
  }
}

const invokesOthers = (trigger: TriggerDefinition) => trigger.grants.some((grant) => grant.kind === 'invoke');
