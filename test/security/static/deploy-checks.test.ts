/**
 * Deploy-time checks, on the stack as `cdk synth` builds it (test/infra/synth.ts):
 *
 * - cdk-nag's AwsSolutions and Serverless packs both run on every synth and find nothing left
 *   unacknowledged, in a development and a kept stage, warnings included (each acknowledgement
 *   sits where its construct is built, with its reason);
 * - every function's role holds exactly the actions its route or trigger table entry names, each
 *   on the resources that grant means — written down here again, apart from lib/, so a grant that
 *   widens there (an action more, a resource wider, a wildcard) fails here: least privilege that
 *   cannot drift. Functions in neither table must be the few the stack itself needs, by name.
 *   The user's functions are in the tables too (exactly what `uses` names, plus their own event
 *   receipts), and so is the event dispatcher (invoke exactly the functions on events);
 * - each schedule's EventBridge Scheduler role may be assumed by Scheduler for this account only,
 *   and may invoke its one function and send to the dead-letter queue, nothing else.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { describe, expect } from 'vitest';
import type { Grant } from '../../../lib/route-types.js';
import { eventReceiptPrefix } from '../../../functions/core/table-design.js';
import { userFunctionId } from '../../../lib/routes/function-routes.js';
import { allRoutes, defaultRoute, functionId, realtimeRoutes } from '../../../lib/routes.js';
import { applyNagChecks } from '../../../lib/nag.js';
import { allTriggers } from '../../../lib/triggers.js';
import { synthStack } from '../../infra/synth.js';
import { suiteBackend as backend } from '../harness/security-backend.js';
import { testIn } from '../harness/security-test.js';

const it = testIn('deploy');

// The example's backend with a probe function of every kind (an HTTP function per auth mode, a
// schedule, an event function): whatever the example declares, every kind of role is checked.
const dev = synthStack({ stage: 'dev', backend });
const prod = synthStack({ stage: 'prod', backend, allowedOrigins: ['https://app.example.com'], adminEmail: 'boss@example.com' });

describe('cdk-nag', () => {
  it.for([
    ['dev', dev],
    ['prod', prod],
  ] as const)('AwsSolutions and Serverless find nothing unacknowledged in %s', ([, synth], { tally }) => {
    tally.check();
    expect(synth.violations.filter((violation) => /^(AwsSolutions|Serverless)-/.test(violation.rule))).toEqual([]);
    expect(synth.nagFailed).toBe(false);
  });

  it('runs both packs on every synth', ({ tally }) => {
    tally.check();
    // A stack with a finding of each pack: an unencrypted queue, a function with Lambda's default memory.
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'lambase-nag-probe-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'NagProbe');
    new Queue(stack, 'Plain', { retentionPeriod: Duration.days(1) });
    new LambdaFunction(stack, 'Bare', { code: Code.fromInline('exports.handler = async () => {}'), handler: 'index.handler', runtime: Runtime.NODEJS_22_X });
    applyNagChecks(app);
    // The findings fail the synth; the report is what says which pack found what.
    try {
      app.synth();
    } catch {
      // expected
    }
    const report = readFileSync(path.join(outdir, 'validation-report.json'), 'utf8');
    rmSync(outdir, { recursive: true, force: true });
    expect(report).toMatch(/"AwsSolutions-SQS\d"/);
    expect(report).toMatch(/"Serverless-LambdaDefaultMemorySize"/);
  });
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; NotAction?: unknown; NotResource?: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

const template = dev.template;
const all = (type: string) => template.findResources(type) as Record<string, Resource>;
const logicalIdOf = (type: string) => {
  const ids = Object.keys(all(type));
  expect(ids, type).toHaveLength(1);
  return ids[0]!;
};
const TABLE = logicalIdOf('AWS::DynamoDB::Table');
const POOL = logicalIdOf('AWS::Cognito::UserPool');
const BUCKET = Object.keys(all('AWS::S3::Bucket')).find((id) => id.startsWith('StorageFiles'))!;
const TOPICS = Object.keys(all('AWS::SNS::Topic'));
const WEBSOCKET_API = Object.entries(all('AWS::ApiGatewayV2::Api')).find(([, api]) => api.Properties.ProtocolType === 'WEBSOCKET')![0];

/**
 * An action, what its resource must look like and the statement's exact condition (none unless
 * said), for one grant.
 */
type Allowed = { action: string; resource: (text: string) => boolean; condition?: unknown };
const on = (actions: string[], resource: (text: string) => boolean, condition?: unknown): Allowed[] => actions.map((action) => ({ action, resource, condition }));
const mentions = (id: string) => (text: string) => text.includes(`"${id}"`);
/** The one Lambda function built for a table entry's construct id. */
const functionsOf = (id: string) =>
  Object.keys(all('AWS::Lambda::Function')).filter((logicalId) => new RegExp(`(^|[A-Z][a-z]+)${id}[0-9A-F]{8}$`).test(logicalId) || logicalId.startsWith(id));
/** Exactly `{ "Fn::GetAtt": [<the function>, "Arn"] }`: the unqualified ARN, no version or alias. */
const isArnOfFunction = (id: string) => (text: string) => functionsOf(id).some((logicalId) => text === JSON.stringify({ 'Fn::GetAtt': [logicalId, 'Arn'] }));

/** What each grant of the route and trigger tables means, in IAM actions on resources. */
function allowedBy(grant: Grant): Allowed[] {
  const table = mentions(TABLE);
  const tableOnly = (text: string) => table(text) && !text.includes('/index/');
  const reads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];
  const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
  switch (grant.kind) {
    case 'table':
      return [...(grant.access === 'write' ? [] : on(reads, table)), ...(grant.access === 'read' ? [] : on(writes, grant.access === 'write' ? tableOnly : table))];
    case 'cursorKey':
      // Only the `#META` item.
      return on(['dynamodb:GetItem', 'dynamodb:PutItem'], tableOnly, { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#META'] } });
    case 'eventReceipts':
      // Only the function's own receipts: partition keys `EVENT#<function>#…`.
      return on(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], tableOnly, {
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${eventReceiptPrefix(grant.function)}#*`] },
      });
    case 'invoke':
      // Each named user function's unqualified ARN, one by one: no other function, no `:*`.
      return on(['lambda:InvokeFunction'], (text) => grant.functions.some((name) => isArnOfFunction(userFunctionId(name))(text)));
    case 'bucket':
      return on([`s3:${{ read: 'GetObject', write: 'PutObject', delete: 'DeleteObject' }[grant.access]}`], (text) => mentions(BUCKET)(text) && text.includes(`/${grant.prefix}*`));
    case 'userPool':
      return on(grant.actions.map((action) => `cognito-idp:${action}`), mentions(POOL));
    case 'userPoolClient':
      return [];
    case 'push':
      // SNS names no resource type for the endpoint-level actions and Unsubscribe ('*');
      // Subscribe and Publish are checked against Lambase's own topics and endpoints.
      return grant.actions.map((action) => ({
        action: `sns:${action}`,
        resource: (text: string) =>
          text === '"*"'
            ? !['Subscribe', 'Publish'].includes(action)
            : TOPICS.some((topic) => text.includes(`"${topic}"`)) || (action === 'Publish' && /:endpoint\//.test(text)),
      }));
    case 'realtimeConnections':
      // Posting to (and closing) the connections of Lambase's own WebSocket API, and nothing else of it.
      return on(['execute-api:ManageConnections'], (text) => mentions(WEBSOCKET_API)(text) && text.includes('/POST/@connections/*'));
  }
}

/** The functions of the tables, by construct id, with their grants. */
const DEAD_LETTERS = Object.keys(all('AWS::SQS::Queue')).find((id) => id.includes('DeadLetters'));
/**
 * Asynchronously invoked functions (S3 triggers, schedules, the user functions the event
 * dispatcher invokes) also send a failed event to the triggers'
 * dead-letter queue (their on-failure destination): the actions Lambda needs for that, on it alone.
 */
const onFailure = on(['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], (text) => DEAD_LETTERS !== undefined && mentions(DEAD_LETTERS)(text));
/**
 * Stream readers (the event dispatcher, the realtime fan-out) are given the table's stream by their
 * event source mapping — ListStreams on '*' (IAM has no narrower resource for it), the rest on the
 * stream's ARN — and send the records they give up to the dead-letter queue.
 */
const streamRead = [
  ...on(['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'], (text) => mentions(TABLE)(text) && text.includes('StreamArn')),
  ...on(['dynamodb:ListStreams'], (text) => text === '"*"'),
  ...onFailure,
];
const tabled = [
  ...[...allRoutes(backend), defaultRoute, ...realtimeRoutes].map((route) => ({ id: route.id ?? functionId(route.handler), handler: route.handler, grants: route.grants, extra: [] as Allowed[] })),
  ...allTriggers(backend).map((trigger) => ({
    id: trigger.id ?? functionId(trigger.handler),
    handler: trigger.handler,
    grants: trigger.grants,
    extra: trigger.source === 's3' || trigger.source === 'schedule' || trigger.source === 'dispatched' ? onFailure : trigger.source === 'stream' ? streamRead : [],
  })),
];
/** Functions the stack needs besides the tables' (their own tests say what they hold). */
const STACK_FUNCTIONS = [/^PushPlatformApplicationResource/, /^PushPlatformApplicationProviderframeworkonEvent/, /^BucketNotificationsHandler/, /^CustomS3AutoDeleteObjects/, /^LogRetention/, /^AWS679f53fac002430cb0da5b7982bd2287/];

function statementsOf(roleId: string): Statement[] {
  const policies = Object.values(all('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`));
  return policies.flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe('IAM: each function holds what its table entry names, nothing more', () => {
  const functions = Object.entries(all('AWS::Lambda::Function'));

  it('every function is in the route or trigger table, or one the stack itself needs', ({ tally }) => {
    for (const [logicalId] of functions) {
      tally.check();
      const known = tabled.some((entry) => logicalId.startsWith(entry.id) || logicalId.includes(entry.id)) || STACK_FUNCTIONS.some((pattern) => pattern.test(logicalId));
      expect(known, `${logicalId}: a function in neither table`).toBe(true);
    }
  });

  it.for(tabled.map((entry) => [`${entry.id} (${entry.handler})`, entry] as const))('%s', ([, entry], { tally }) => {
    const found = functionsOf(entry.id);
    expect(found, `${entry.id} in the template`).toHaveLength(1);
    const fn = all('AWS::Lambda::Function')[found[0]!]!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const role = all('AWS::IAM::Role')[roleId]!;
    expect(role.Properties.ManagedPolicyArns, 'managed policies').toBeUndefined();
    expect(role.Properties.Policies, 'inline policies on the role').toBeUndefined();

    const allowed = [...on(['logs:CreateLogStream', 'logs:PutLogEvents'], (text) => text.includes('Logs') && text.includes('"Arn"')), ...entry.grants.flatMap(allowedBy), ...entry.extra];
    const held = new Set<string>();
    for (const statement of statementsOf(roleId)) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction ?? statement.NotResource, 'NotAction / NotResource').toBeUndefined();
      const resources = [statement.Resource].flat().map((resource) => JSON.stringify(resource));
      for (const action of [statement.Action].flat()) {
        tally.check();
        held.add(`${action} ${JSON.stringify(statement.Condition)}`);
        expect(action, 'a wildcard action').not.toMatch(/\*/);
        const named = allowed.filter((rule) => rule.action === action);
        expect(named.length, `${entry.handler} holds ${action}, which its table entry does not name`).toBeGreaterThan(0);
        // The statement's condition is the grant's own (none, or the items it is limited to).
        const rules = named.filter((rule) => isDeepStrictEqual(rule.condition, statement.Condition));
        expect(rules.length, `${entry.handler}: ${action} under the condition ${JSON.stringify(statement.Condition)}`).toBeGreaterThan(0);
        for (const resource of resources) {
          expect(rules.some((rule) => rule.resource(resource)), `${entry.handler}: ${action} on ${resource}`).toBe(true);
        }
      }
    }
    // And nothing it names is missing (the function would fail in the cloud).
    const missing = [...new Set(allowed.filter((rule) => !entry.extra.includes(rule)).map((rule) => `${rule.action} ${JSON.stringify(rule.condition)}`))].filter(
      (action) => !held.has(action),
    );
    // A push action on resources the config does not have (no topic, no platform) is left out.
    expect(missing.filter((action) => !action.startsWith('sns:')), `${entry.handler}: named but not held`).toEqual([]);
  });
});

describe('IAM: each schedule\'s Scheduler role invokes its one function, nothing more', () => {
  const schedules = allTriggers(backend).filter((trigger) => trigger.source === 'schedule');
  const roles = Object.entries(all('AWS::IAM::Role'));
  const schedulerRoles = roles.filter(([, role]) => JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes('scheduler.amazonaws.com'));

  it('one role per schedule, and no other role Scheduler may assume', ({ tally }) => {
    tally.check();
    expect(schedules.length, 'the suite\'s backend has a schedule (security-backend.ts)').toBeGreaterThan(0);
    expect(schedulerRoles).toHaveLength(schedules.length);
  });

  it.for(schedules.map((trigger) => [trigger.name, trigger] as const))('%s', ([, trigger], { tally }) => {
    const fn = functionsOf(trigger.id ?? functionId(trigger.handler));
    expect(fn, `${trigger.name}'s function`).toHaveLength(1);
    const arn = { 'Fn::GetAtt': [fn[0]!, 'Arn'] };
    const schedule = Object.values(all('AWS::Scheduler::Schedule')).find((candidate) => isDeepStrictEqual((candidate.Properties.Target as { Arn: unknown }).Arn, arn));
    expect(schedule, `the schedule that runs ${trigger.name}`).toBeDefined();
    const roleId = ((schedule!.Properties.Target as { RoleArn: { 'Fn::GetAtt': [string, string] } }).RoleArn)['Fn::GetAtt'][0];
    const role = all('AWS::IAM::Role')[roleId]!;
    tally.check();
    // Scheduler, acting for this account only (no confused deputy).
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }],
    });
    expect(role.Properties.ManagedPolicyArns, 'managed policies').toBeUndefined();
    expect(role.Properties.Policies, 'inline policies on the role').toBeUndefined();
    const held: string[] = [];
    for (const statement of statementsOf(roleId)) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Condition ?? statement.NotAction ?? statement.NotResource).toBeUndefined();
      const resources = [statement.Resource].flat();
      for (const action of [statement.Action].flat()) {
        tally.check();
        held.push(action);
        if (action === 'lambda:InvokeFunction') {
          // Its function, and that function's versions (`:*`, what the Scheduler target grants): no other.
          expect(resources).toEqual([arn, { 'Fn::Join': ['', [arn, ':*']] }]);
        } else {
          expect(action, `${trigger.name}'s Scheduler role holds ${action}`).toBe('sqs:SendMessage');
          expect(resources.map((resource) => JSON.stringify(resource))).toEqual([JSON.stringify({ 'Fn::GetAtt': [DEAD_LETTERS, 'Arn'] })]);
        }
      }
    }
    expect(held.sort()).toEqual(['lambda:InvokeFunction', 'sqs:SendMessage']);
  });
});
