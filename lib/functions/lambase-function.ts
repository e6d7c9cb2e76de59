/**
 * The one function factory: every Lambda in the stack is built here, so they all share the
 * runtime, architecture, bundling, logging and failure handling decided below. The code is the
 * shared build's bundle (lib/functions/function-bundles.ts), the one local mode runs too.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Architecture, Function as LambdaFunction, LoggingFormat, Runtime, type IDestination } from 'aws-cdk-lib/aws-lambda';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { FunctionSettings } from '../route-types.js';
import type { Stage } from '../stage.js';
import { entryOf } from '../../build/function-build.js';
import { BUNDLE_HANDLER, FunctionBundles } from './function-bundles.js';

export type LambaseFunctionProps = {
  settings: FunctionSettings;
  stage: Stage;
  environment: Record<string, string>;
  /**
   * For functions invoked asynchronously (S3 events, schedules, user functions): where an event goes after
   * Lambda's retries are spent. Synchronous callers (API Gateway, Cognito) see the error instead.
   */
  onFailure?: IDestination;
};

export class LambaseFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: LambaseFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.stage.isDevelopment ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS,
      removalPolicy: props.stage.removalPolicy,
    });
    // An own role per function, allowed to write to its own log group only (no managed policy).
    const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    super(scope, id, {
      role,
      code: FunctionBundles.of(scope).code(entryOf(props.settings)),
      handler: BUNDLE_HANDLER,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.settings.memoryMb ?? 512,
      timeout: Duration.seconds(props.settings.timeoutSeconds ?? 10),
      environment: props.environment,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Lambda's own policy for asynchronous events, made explicit: two retries, then the destination.
      ...(props.onFailure ? { onFailure: props.onFailure, retryAttempts: 2, maxEventAge: Duration.hours(6) } : {}),
    });
    Validations.of(this).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason: props.onFailure
          ? 'Failed asynchronous events go to the on-failure destination (the triggers\' dead-letter queue), which supersedes a DLQ.'
          : 'Invoked synchronously (API Gateway, Cognito, CloudFormation): the caller gets the error; a DLQ only serves asynchronous invocations.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason: 'X-Ray is off: it bills per trace and needs xray:* on "*" in every role; the JSON logs carry each request id end to end.',
      },
    );
  }
}
