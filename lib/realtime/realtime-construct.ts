/**
 * Realtime: an API Gateway WebSocket API (`RealtimeUrl`) whose `$connect`, `$disconnect` and
 * `$default` routes are small functions from the realtime route table (lib/routes/realtime-routes.ts).
 * Its stage throttles and writes JSON access logs; tokens are checked in-band, by the `auth` frame,
 * with the HTTP API's rules (browsers cannot set headers on a WebSocket, and a token in the URL
 * would land in access logs). `grantPostToConnections` gives a function
 * `execute-api:ManageConnections` on this API's `POST @connections/*` and nothing else.
 *
 * Built in two steps because the functions need the API's callback URL in their environment:
 * the API and its stage first, the routes (`addRoutes`) once the stack's shared resources exist.
 */
import { Aws, CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, WebSocketStage, type CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Effect, PolicyStatement, Role, ServicePrincipal, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import type { LambaseFunction } from '../functions/lambase-function.js';
import type { RealtimeRouteDefinition } from '../route-types.js';
import type { Stage } from '../stage.js';
import { REALTIME_STAGE_NAME } from './realtime-settings.js';

/**
 * What builds the route functions: BackendResources, named by shape here because BackendResources
 * itself needs this construct (its endpoint and grant), and lib/ keeps no import loop.
 */
export type RouteFunctionFactory = { createFunction(scope: Construct, row: RealtimeRouteDefinition): LambaseFunction };

export type RealtimeConstructProps = {
  stage: Stage;
  /** Messages a second across all connections, and burst (lambase.config.ts `api.throttle`). */
  throttle: { rateLimit: number; burstLimit: number };
};


const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  latencyMs: '$context.integrationLatency',
  error: '$context.error.message',
  integrationError: '$context.integrationErrorMessage',
});

export class RealtimeConstruct extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  /** The function of each route. */
  readonly functions = new Map<string, LambaseFunction>();

  constructor(scope: Construct, id: string, props: RealtimeConstructProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'WebSocketApi', { description: 'Lambase realtime: live document changes and notifications' });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.stage.isDevelopment ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS,
      removalPolicy: props.stage.removalPolicy,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: REALTIME_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(ACCESS_LOG_FORMAT) },
    });
    // Unlike HTTP APIs, WebSocket stages log only once the account names a role API Gateway
    // writes logs with (CDK's RestApi does the same by default).
    this.stage.node.addDependency(this.accountLoggingRole());
    new CfnOutput(scope, 'RealtimeUrl', { value: this.stage.url, description: 'WebSocket URL of the realtime API' });
  }

  /** The `@connections` endpoint functions post frames to (the stage's callback URL). */
  get endpoint(): string {
    return this.stage.callbackUrl;
  }

  /** Connects each route to its function, built by `resources` with exactly the grants its row names. */
  addRoutes(resources: RouteFunctionFactory, routes: readonly RealtimeRouteDefinition[]): void {
    for (const row of routes) {
      const fn = resources.createFunction(this, row);
      this.functions.set(row.routeKey, fn);
      const route = this.api.addRoute(row.routeKey, {
        integration: new WebSocketLambdaIntegration(`${fn.node.id}Integration`, fn),
        returnResponse: row.returnResponse,
      });
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Tokens are checked in-band by the auth frame with the HTTP API\'s rules: browsers cannot send headers on a WebSocket, and a token in the URL would land in access logs.',
      });
    }
  }

  /** `execute-api:ManageConnections` on this API's stage, for `POST @connections/{id}` only. */
  grantPostToConnections(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['execute-api:ManageConnections'],
        // Written with the pseudo parameters (not formatArn), so the wildcard ARN reads the same to
        // cdk-nag whether or not the stack's account and region are known at synth time.
        resources: [`arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${this.api.apiId}/${REALTIME_STAGE_NAME}/POST/@connections/*`],
      }),
    );
    Validations.of(grantee.grantPrincipal as unknown as IConstruct).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${Stack.of(this).getLogicalId(this.api.node.defaultChild as CfnApi)}>/${REALTIME_STAGE_NAME}/POST/@connections/*]`,
      reason: 'Connection ids are made at run time; the wildcard covers the connections of this API\'s stage, for POST only.',
    });
  }

  /**
   * The account-wide role API Gateway logs with (one per account and region: the last stack to
   * deploy sets it). Kept when the stack goes, so another stage's logging never loses its role.
   */
  private accountLoggingRole(): CfnAccount {
    const role = new Role(this, 'ApiGatewayLoggingRole', { assumedBy: new ServicePrincipal('apigateway.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        // The actions of AWS's AmazonAPIGatewayPushToCloudWatchLogs, on this account's log groups only.
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents'],
        resources: [`arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`],
      }),
    );
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      reason: 'The account-wide API Gateway logging role writes whichever log group an API stage of this account names.',
    });
    const account = new CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    return account;
  }
}
