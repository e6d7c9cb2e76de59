/**
 * Api: the HTTP API, built from the route table. 🔒 routes carry the Cognito JWT authorizer (which
 * checks signature, issuer, client and expiry; the function refuses a token that is not an access
 * token with 401, as the contract says — a scope requirement would answer 403 instead);
 * the default stage throttles and writes JSON access logs; unknown routes reach a function that
 * answers 404 in the contract's shape.
 */
import { CfnOutput, Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CfnStage,
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../route-types.js';
import { routeFunctionName } from '../routes.js';
import type { BackendResources } from '../functions/backend-resources.js';
import type { LambaseFunction } from '../functions/lambase-function.js';
import { CORS } from './api-settings.js';

export type ApiConstructProps = {
  resources: BackendResources;
  routes: readonly RouteDefinition[];
  defaultRoute: RouteDefinition;
  allowedOrigins: readonly string[];
  /** lambase.config.ts `api.throttle`. */
  throttle: { rateLimit: number; burstLimit: number };
};

const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  ip: '$context.identity.sourceIp',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  latencyMs: '$context.responseLatency',
  integrationError: '$context.integrationErrorMessage',
  authorizerError: '$context.authorizer.error',
});

export class ApiConstruct extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** The function of each route's function name (platform routes sharing a handler file share a function). */
  readonly functions = new Map<string, LambaseFunction>();
  private readonly integrations = new Map<string, HttpLambdaIntegration>();
  private readonly resources: BackendResources;

  constructor(scope: Construct, id: string, props: ApiConstructProps) {
    super(scope, id);
    const { resources } = props;
    this.resources = resources;
    this.httpApi = new HttpApi(this, 'HttpApi', {
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [...props.allowedOrigins],
        allowHeaders: [...CORS.allowHeaders],
        exposeHeaders: [...CORS.exposeHeaders],
        allowMethods: CORS.allowMethods.map((method) => CorsHttpMethod[method]),
        maxAge: Duration.seconds(CORS.maxAgeSeconds),
      },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: resources.stage.isDevelopment ? RetentionDays.ONE_WEEK : RetentionDays.THREE_MONTHS,
      removalPolicy: resources.stage.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: AccessLogFormat.custom(ACCESS_LOG_FORMAT) },
    });

    // Routes with a throttle of their own (route settings override the stage's; the property is
    // untyped in CloudFormation's schema, so it is written in its own casing).
    const routeSettings = Object.fromEntries(
      props.routes
        .filter((route) => route.throttle)
        .map((route) => [
          `${route.operation.method} ${route.operation.path}`,
          { ThrottlingRateLimit: route.throttle!.rateLimit, ThrottlingBurstLimit: route.throttle!.burstLimit },
        ]),
    );
    if (Object.keys(routeSettings).length) (this.stage.node.defaultChild as CfnStage).routeSettings = routeSettings;

    const authorizer = new HttpUserPoolAuthorizer('CognitoAccessToken', resources.auth.userPool, {
      userPoolClients: [resources.auth.userPoolClient],
      identitySource: ['$request.header.Authorization'],
    });

    for (const route of props.routes) {
      const { operation } = route;
      const required = operation.auth === 'required';
      const httpRoute = new HttpRoute(this, `${operation.method} ${operation.path}`, {
        httpApi: this.httpApi,
        routeKey: HttpRouteKey.with(operation.path, HttpMethod[operation.method]),
        integration: this.integrationFor(route),
        authorizer: required ? authorizer : undefined,
      });
      if (!required) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: operation.auth === 'optional'
            ? 'Public by the contract for some callers; the function verifies a sent token itself with the authorizer\'s rules.'
            : 'Public by the contract (sign-up, sign-in, the OpenAPI document): there is no caller to authorize yet.',
        });
      }
    }
    const fallback = new HttpRoute(this, 'DefaultRoute', {
      httpApi: this.httpApi,
      routeKey: HttpRouteKey.DEFAULT,
      integration: this.integrationFor(props.defaultRoute),
    });
    Validations.of(fallback).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The catch-all route only answers 404 in the contract\'s shape; it reads and returns nothing.',
    });

    new CfnOutput(scope, 'ApiUrl', { value: this.stage.url, description: 'Base URL of the HTTP API' });
  }

  /** One function and one integration per function name, shared by the routes that use it. */
  private integrationFor(route: RouteDefinition): HttpLambdaIntegration {
    const name = routeFunctionName(route);
    let integration = this.integrations.get(name);
    if (!integration) {
      const fn = this.resources.createFunction(this, route);
      this.functions.set(name, fn);
      integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn);
      this.integrations.set(name, integration);
    }
    return integration;
  }
}
