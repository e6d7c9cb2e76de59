/**
 * The user's own functions in the template: one event dispatcher reads the stream (next to the
 * realtime fan-out, its other reader; with the union
 * of the functions' filters, partial batch failures, bisect, bounded retries, a dead-letter queue)
 * and may invoke exactly the event functions; each of those retries twice and then lands in the
 * alarmed queue; schedules are EventBridge Scheduler schedules; HTTP functions are API routes; and
 * each function holds exactly the permissions of its `uses`. The backend is the example's plus the
 * function README.md tells a user to add.
 */
import { describe, expect, it } from 'vitest';
import { streamFilters } from '../../functions/core/events/table-events.js';
import { EVENT_DISPATCHER, userFunctionId } from '../../lib/routes/function-routes.js';
import { readmeFunction } from '../fixtures/readme-function.js';
import { synthStack } from './synth.js';

const readme = readmeFunction();
const { template, violations, nagFailed } = synthStack({ stage: 'dev', backend: readme.backend });

type Resource = { Type: string; Properties: Record<string, any> };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const entries = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];

function functionOf(id: string): [string, Resource] {
  const found = entries('AWS::Lambda::Function').find(([logicalId]) => logicalId.startsWith(`Triggers${id}`) || logicalId.startsWith(`Api${id}`));
  expect(found, id).toBeDefined();
  return found!;
}

function statementsOf(id: string): Statement[] {
  const [, fn] = functionOf(id);
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return entries('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (id: string) => [...new Set(statementsOf(id).flatMap((statement) => [statement.Action].flat()))].sort();
const deadLettersId = entries('AWS::SQS::Queue').find(([logicalId]) => logicalId.startsWith('TriggersDeadLetters'))![0];

describe('user functions in the stack', () => {
  it('pass cdk-nag AwsSolutions with the README\'s function added', () => {
    expect(violations.filter((violation) => violation.severity === 'error')).toEqual([]);
    expect(nagFailed).toBe(false);
  });

  it('read the table\'s stream through one event dispatcher with the union of their filters (the stream serves two readers: it and realtime)', () => {
    const mappings = entries('AWS::Lambda::EventSourceMapping').map(([, mapping]) => mapping.Properties);
    const [dispatcherId] = functionOf(EVENT_DISPATCHER.name);
    const [fanOutId] = functionOf('RealtimeFanOutChanges');
    expect(mappings.map((mapping) => mapping.FunctionName.Ref).sort()).toEqual([dispatcherId, fanOutId].sort());
    const dispatcher = mappings.filter((mapping) => mapping.FunctionName.Ref === dispatcherId);
    const expected = streamFilters([
      { event: 'userSignedUp' },
      { event: 'documentCreated', collection: 'posts', where: { published: true } },
      { event: 'geofenceEntered', collection: 'zones' },
    ]);
    // zone-alert's geofence event items pass the filter (PUT /me/location writes them).
    expect(expected).toContainEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { entity: { S: ['geofenceEvent'] } } } });
    expect(dispatcher[0]).toMatchObject({
      FunctionName: { Ref: dispatcherId },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } } },
    });
    const patterns = (dispatcher[0]!.FilterCriteria.Filters as { Pattern: string }[]).map((filter) => JSON.parse(filter.Pattern));
    expect(patterns.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });

  it('let the dispatcher invoke exactly the event functions, and nothing else', () => {
    expect(actionsOf(EVENT_DISPATCHER.name).filter((action) => !action.startsWith('logs:') && !action.startsWith('dynamodb:') && !action.startsWith('sqs:'))).toEqual([
      'lambda:InvokeFunction',
    ]);
    const invoke = statementsOf(EVENT_DISPATCHER.name).filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));
    const targets = JSON.stringify(invoke.map((statement) => statement.Resource));
    for (const name of ['welcome', 'notify-new-post', 'zone-alert']) expect(targets).toContain(functionOf(userFunctionId(name))[0]);
    for (const name of ['stats', readme.name]) expect(targets).not.toContain(functionOf(userFunctionId(name))[0]);
    expect(JSON.stringify(functionOf(EVENT_DISPATCHER.name)[1].Properties.Environment.Variables.LAMBASE_EVENT_SUBSCRIPTIONS)).toContain('notify-new-post');
  });

  it('retry each event function\'s events twice, for up to 6 hours, then put them in the alarmed dead-letter queue', () => {
    const configs = entries('AWS::Lambda::EventInvokeConfig').map(([, config]) => config.Properties);
    for (const name of ['welcome', 'notify-new-post', 'zone-alert', readme.name]) {
      const [id] = functionOf(userFunctionId(name));
      expect(configs.find((config) => config.FunctionName.Ref === id), name).toMatchObject({
        MaximumRetryAttempts: 2,
        MaximumEventAgeInSeconds: 21_600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } } },
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
    });
  });

  it('run a schedule on EventBridge Scheduler, whose role may invoke only that function, with retries and a dead-letter queue', () => {
    const schedules = entries('AWS::Scheduler::Schedule').map(([, schedule]) => schedule.Properties);
    expect(schedules).toHaveLength(1);
    const [functionId] = functionOf(userFunctionId(readme.name));
    expect(schedules[0]).toMatchObject({
      ScheduleExpression: readme.entry.schedule,
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 3_600 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] } },
      },
    });
    expect(JSON.parse(schedules[0]!.Target.Input)).toEqual({ type: 'scheduled', schedule: readme.name, scheduledAt: '<aws.scheduler.scheduled-time>' });
    const roleId = schedules[0]!.Target.RoleArn['Fn::GetAtt'][0];
    const roleStatements = entries('AWS::IAM::Policy')
      .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
    const invoke = roleStatements.filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0]!.Resource)).toContain(functionId);
    expect(JSON.stringify(invoke[0]!.Resource)).not.toContain(functionOf(userFunctionId('welcome'))[0]);
  });

  it('serve an HTTP function as an API route behind the JWT authorizer', () => {
    const [routeId, route] = entries('AWS::ApiGatewayV2::Route').find(([, candidate]) => candidate.Properties.RouteKey === 'GET /stats')!;
    expect(routeId).toBeDefined();
    expect(route.Properties.AuthorizationType).toBe('JWT');
    const integration = entries('AWS::ApiGatewayV2::Integration').find(([id]) => JSON.stringify(route.Properties.Target).includes(id))!;
    expect(JSON.stringify(integration[1].Properties.IntegrationUri)).toContain(functionOf(userFunctionId('stats'))[0]);
  });

  describe('hold exactly the permissions of their `uses` (least privilege)', () => {
    const RECEIPTS = ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    const only = (actions: string[], service: string) => actions.filter((action) => action.startsWith(`${service}:`));

    it('stats (documents:read, files): table reads and s3:GetObject on files/*; its only write is creating the cursor key', () => {
      const statements = statementsOf(userFunctionId('stats'));
      const actions = actionsOf(userFunctionId('stats'));
      expect(actions.filter((action) => !action.startsWith('logs:')).every((action) => /^dynamodb:(Get|BatchGet|Query|ConditionCheck|Describe)|^s3:GetObject$|^dynamodb:PutItem$/.test(action)), actions.join()).toBe(true);
      const writes = statements.filter((statement) => [statement.Action].flat().includes('dynamodb:PutItem'));
      expect(writes.map((statement) => statement.Condition)).toEqual([{ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#META'] } }]);
      expect(only(actions, 's3')).toEqual(['s3:GetObject']);
      const s3 = statementsOf(userFunctionId('stats')).find((statement) => [statement.Action].flat().includes('s3:GetObject'))!;
      expect(JSON.stringify(s3.Resource)).toContain('/files/*');
    });

    it('welcome (notifications): table writes and its own receipts only, no reads of anything else, no SNS', () => {
      const actions = actionsOf(userFunctionId('welcome'));
      expect(only(actions, 'sns')).toEqual([]);
      expect(only(actions, 's3')).toEqual([]);
      const reads = statementsOf(userFunctionId('welcome')).filter((statement) => [statement.Action].flat().includes('dynamodb:GetItem'));
      expect(reads).toHaveLength(1);
      expect(reads[0]!.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EVENT#welcome#*'] } });
      expect([reads[0]!.Action].flat().sort()).toEqual(RECEIPTS);
    });

    it('notify-new-post (push): the table, and only Publish, Unsubscribe and DeleteEndpoint in SNS', () => {
      const actions = actionsOf(userFunctionId('notify-new-post'));
      expect(only(actions, 'sns')).toEqual(['sns:DeleteEndpoint', 'sns:Publish', 'sns:Unsubscribe']);
      expect(only(actions, 's3')).toEqual([]);
    });

    it('the README\'s daily-digest (documents:read, push): the table as push needs it, Publish and the clean-up of dead endpoints, no S3', () => {
      const actions = actionsOf(userFunctionId(readme.name));
      expect(only(actions, 'sns')).toEqual(['sns:DeleteEndpoint', 'sns:Publish', 'sns:Unsubscribe']);
      expect(only(actions, 's3')).toEqual([]);
      expect(actions).toContain('dynamodb:Query');
    });

    it('no user function (nor the dispatcher) may Scan, reach Cognito or touch another service', () => {
      for (const id of [...['welcome', 'notify-new-post', 'stats', 'zone-alert', readme.name].map(userFunctionId), EVENT_DISPATCHER.name]) {
        const actions = actionsOf(id);
        expect(actions, id).not.toContain('dynamodb:Scan');
        expect(actions.every((action) => /^(logs|dynamodb|s3|sns|lambda|sqs):/.test(action)), `${id}: ${actions.join()}`).toBe(true);
        expect(only(actions, 'cognito-idp'), id).toEqual([]);
      }
    });
  });
});
