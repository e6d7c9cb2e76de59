/**
 * The realtime API as CloudFormation sees it: the WebSocket API and its three routes on their
 * functions, a throttled stage with JSON access logs, the stream mapping of the fan-out with its
 * filters, and `execute-api:ManageConnections` exactly where the route and trigger tables grant it.
 */
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import backend from '../../lambase.config.js';
import { REALTIME_STAGE_NAME } from '../../lib/realtime/realtime-settings.js';
import { REALTIME_STREAM_FILTERS, realtimeRoutes, realtimeTriggers } from '../../lib/routes/realtime-routes.js';
import { functionId, routes } from '../../lib/routes.js';
import { synthStack } from './synth.js';

const { template, violations, nagFailed } = synthStack({ stage: 'dev' });

type Resource = { Type: string; Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
type Statement = { Action: string | string[]; Resource: unknown };
const byType = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];
const functionLogicalId = (handler: string) => {
  const found = byType('AWS::Lambda::Function').find(([logicalId]) => logicalId.includes(functionId(handler)));
  expect(found, handler).toBeDefined();
  return found![0];
};
const statementsOf = (handler: string): Statement[] => {
  const fn = template.findResources('AWS::Lambda::Function')[functionLogicalId(handler)] as Resource;
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return byType('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
};
const actionsOf = (handler: string) => statementsOf(handler).flatMap((statement) => [statement.Action].flat());

describe('the WebSocket API', () => {
  it('is nag-clean', () => {
    expect(violations.filter((violation) => violation.severity === 'error')).toEqual([]);
    expect(nagFailed).toBe(false);
  });

  it('has $connect, $disconnect and $default, each on its own function; only $default answers (route response)', () => {
    const webSocketApis = byType('AWS::ApiGatewayV2::Api').filter(([, api]) => api.Properties.ProtocolType === 'WEBSOCKET');
    expect(webSocketApis).toHaveLength(1);
    const apiId = webSocketApis[0]![0];
    const wsRoutes = byType('AWS::ApiGatewayV2::Route').filter(([, route]) => JSON.stringify(route.Properties.ApiId).includes(apiId));
    expect(wsRoutes.map(([, route]) => route.Properties.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    for (const [, route] of wsRoutes) expect(route.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
    template.resourceCountIs('AWS::ApiGatewayV2::RouteResponse', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::RouteResponse', { RouteResponseKey: '$default' });
    for (const route of realtimeRoutes) {
      const id = functionLogicalId(route.handler);
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.objectLike({ 'Fn::GetAtt': [id, 'Arn'] })])]) }),
      });
    }
  });

  it('throttles its stage and writes JSON access logs, with the account\'s logging role set first', () => {
    const stage = byType('AWS::ApiGatewayV2::Stage').find(([, candidate]) => candidate.Properties.StageName === REALTIME_STAGE_NAME)![1];
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: backend.api.throttle.rateLimit, ThrottlingBurstLimit: backend.api.throttle.burstLimit });
    const logs = stage.Properties.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(Object.keys(JSON.parse(logs.Format))).toEqual(expect.arrayContaining(['requestId', 'connectionId', 'eventType', 'routeKey', 'status']));
    const [accountId, account] = byType('AWS::ApiGateway::Account')[0]!;
    expect(stage.DependsOn).toContain(accountId);
    expect(account.DeletionPolicy).toBe('Retain');
  });

  it('tells the client its URL', () => {
    const output = JSON.stringify(template.findOutputs('RealtimeUrl'));
    expect(output).toContain('wss://');
    expect(output).toContain(`/${REALTIME_STAGE_NAME}`);
  });
});

describe('the fan-out', () => {
  const [fanOut] = realtimeTriggers;

  it('reads the table\'s stream with the realtime filters, partial failures and parallel batches, at no batching window', () => {
    const mappings = byType('AWS::Lambda::EventSourceMapping').filter(([, mapping]) => JSON.stringify(mapping.Properties.FunctionName).includes(functionLogicalId(fanOut!.handler)));
    expect(mappings).toHaveLength(1);
    const mapping = mappings[0]![1];
    expect(mapping.Properties).toMatchObject({
      StartingPosition: 'LATEST',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      ParallelizationFactor: fanOut!.source === 'stream' ? fanOut!.parallelization : undefined,
      // A change more than an hour old is dropped (the dispatcher, the stream's other reader, keeps 24 h).
      MaximumRecordAgeInSeconds: 3_600,
    });
    expect(mapping.Properties.MaximumBatchingWindowInSeconds ?? 0).toBe(0);
    const patterns = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters.map((filter) => JSON.parse(filter.Pattern));
    expect(patterns).toEqual(REALTIME_STREAM_FILTERS);
  });
});

describe('grants', () => {
  const posting = [...realtimeRoutes, ...realtimeTriggers].filter((row) => row.grants.some((grant) => grant.kind === 'realtimeConnections'));

  it('give execute-api:ManageConnections on this API\'s POST @connections/* to the functions the tables name, and to no other', () => {
    expect(posting.map((row) => row.handler).sort()).toEqual(['functions/realtime/fan-out-changes.ts', 'functions/realtime/receive-frame.ts']);
    for (const row of posting) {
      const statements = statementsOf(row.handler).filter((statement) => [statement.Action].flat().includes('execute-api:ManageConnections'));
      expect(statements).toHaveLength(1);
      const arn = JSON.stringify(statements[0]!.Resource);
      expect(arn).toContain(`/${REALTIME_STAGE_NAME}/POST/@connections/*`);
      expect(arn).toMatch(/RealtimeWebSocketApi/);
    }
    const others = [...routes.map((route) => route.handler), ...realtimeRoutes.map((route) => route.handler)].filter((handler) => !posting.some((row) => row.handler === handler));
    for (const handler of others) expect(actionsOf(handler), handler).not.toContain('execute-api:ManageConnections');
  });

  it('let $connect write and nothing more, and no realtime function scan', () => {
    const connect = actionsOf('functions/realtime/open-connection.ts').filter((action) => action.startsWith('dynamodb:'));
    expect(connect.sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    for (const row of [...realtimeRoutes, ...realtimeTriggers]) expect(actionsOf(row.handler)).not.toContain('dynamodb:Scan');
  });

  it('point the posting functions at the stage\'s callback URL, and no other function', () => {
    const environments = byType('AWS::Lambda::Function').map(([logicalId, fn]) => [logicalId, (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}] as const);
    const withEndpoint = environments.filter(([, variables]) => 'LAMBASE_REALTIME_ENDPOINT' in variables).map(([logicalId]) => logicalId).sort();
    expect(withEndpoint).toEqual(posting.map((row) => functionLogicalId(row.handler)).sort());
    const [, variables] = environments.find(([logicalId]) => logicalId === withEndpoint[0])!;
    expect(JSON.stringify(variables.LAMBASE_REALTIME_ENDPOINT)).toContain(`/${REALTIME_STAGE_NAME}`);
  });
});
