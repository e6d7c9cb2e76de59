/**
 * The auth feature in the synthesized stack: which routes the JWT authorizer guards, the
 * post-confirmation trigger's wiring, and least privilege per auth function.
 */
import { describe, expect, it } from 'vitest';
import { authRoutes, authTriggers } from '../../lib/routes/auth-routes.js';
import { functionId } from '../../lib/routes.js';
import { synthStack } from './synth.js';

const { template } = synthStack({ stage: 'dev' });

type Resource = { Type: string; Properties: Record<string, unknown> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

const all = (type: string) => Object.entries(template.findResources(type)) as [string, Resource][];

function functionOf(handler: string): [string, Resource] {
  const id = functionId(handler);
  // Logical ids are the construct path plus a hash: …AuthGetMe1A2B3C4D (never …AuthGetMeRole…).
  const found = all('AWS::Lambda::Function').find(([logicalId]) => new RegExp(`${id}[0-9A-F]{8}$`).test(logicalId));
  expect(found, handler).toBeDefined();
  return found!;
}

function statementsOf(handler: string): Statement[] {
  const [, fn] = functionOf(handler);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return all('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap(([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (handler: string) => statementsOf(handler).flatMap((statement) => [statement.Action].flat());
const environmentOf = (handler: string) =>
  ((functionOf(handler)[1].Properties.Environment as { Variables?: Record<string, unknown> }).Variables ?? {});

const [userPoolId] = all('AWS::Cognito::UserPool')[0]!;

describe('auth routes on the HTTP API', () => {
  it('guard /auth/sign-out, /me and /admin/* with the JWT authorizer, and leave the other /auth routes public', () => {
    const routes = all('AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties);
    for (const { operation } of authRoutes) {
      const route = routes.find((candidate) => candidate.RouteKey === `${operation.method} ${operation.path}`);
      expect(route, operation.path).toBeDefined();
      const guarded = operation.path === '/auth/sign-out' || operation.path.startsWith('/me') || operation.path.startsWith('/admin/');
      expect(operation.auth, operation.path).toBe(guarded ? 'required' : 'none');
      expect(route!.AuthorizationType ?? 'NONE', operation.path).toBe(guarded ? 'JWT' : 'NONE');
    }
  });
});

describe('the post-confirmation trigger', () => {
  const [trigger] = authTriggers;

  it('is the user pool\'s PostConfirmation function, which Cognito may invoke', () => {
    const [functionLogicalId] = functionOf(trigger!.handler);
    const [, pool] = all('AWS::Cognito::UserPool')[0]!;
    expect(pool.Properties.LambdaConfig).toMatchObject({ PostConfirmation: { 'Fn::GetAtt': [functionLogicalId, 'Arn'] } });
    const permission = all('AWS::Lambda::Permission').find(
      ([, resource]) => JSON.stringify(resource.Properties.FunctionName).includes(functionLogicalId),
    );
    expect(permission?.[1].Properties).toMatchObject({ Principal: 'cognito-idp.amazonaws.com', Action: 'lambda:InvokeFunction' });
  });

  it('may only write items to the table: no reads, no Cognito', () => {
    const actions = actionsOf(trigger!.handler).filter((action) => !action.startsWith('logs:'));
    expect(actions.sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    expect(environmentOf(trigger!.handler)).toHaveProperty('LAMBASE_TABLE_NAME');
  });
});

describe('auth functions (least privilege)', () => {
  const publicApi = authRoutes.filter((route) => route.grants.every((grant) => grant.kind === 'userPoolClient'));

  it('that use only the public Cognito API have no IAM permission beyond their logs, and no table', () => {
    expect(publicApi.map((route) => route.operation.path)).toEqual(
      expect.arrayContaining(['/auth/sign-up', '/auth/sign-in', '/auth/refresh', '/auth/sign-out', '/me/change-password']),
    );
    for (const route of publicApi) {
      expect(actionsOf(route.handler).every((action) => action.startsWith('logs:')), route.handler).toBe(true);
      const environment = environmentOf(route.handler);
      expect(environment, route.handler).toHaveProperty('LAMBASE_USER_POOL_CLIENT_ID');
      expect(environment, route.handler).not.toHaveProperty('LAMBASE_TABLE_NAME');
    }
  });

  it('that administer users may call exactly their Cognito actions, on this user pool only', () => {
    const expected: Record<string, string[]> = {
      '/me': ['AdminGetUser', 'AdminListGroupsForUser'],
      '/me/export': ['AdminGetUser', 'AdminListGroupsForUser'],
      '/admin/users': ['AdminListGroupsForUser', 'ListUsers'],
      '/admin/users/{userId}/disable': ['AdminDisableUser'],
      '/admin/users/{userId}/enable': ['AdminEnableUser'],
    };
    for (const route of authRoutes.filter((candidate) => candidate.operation.method !== 'PATCH' && candidate.operation.method !== 'DELETE')) {
      const wanted = expected[route.operation.path];
      if (!wanted) continue;
      const cognito = statementsOf(route.handler).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('cognito-idp:')));
      expect(cognito.flatMap((statement) => [statement.Action].flat()).sort(), route.handler).toEqual(wanted.map((action) => `cognito-idp:${action}`));
      for (const statement of cognito) expect(statement.Resource).toEqual({ 'Fn::GetAtt': [userPoolId, 'Arn'] });
    }
  });

  it('listing users may read (and create once) the cursor-signing key, and nothing else in the table', () => {
    const handler = 'functions/auth/list-users.ts';
    const table = statementsOf(handler).filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(table.flatMap((statement) => [statement.Action].flat()).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    for (const statement of table) {
      expect((statement as Statement & { Condition?: unknown }).Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#META'] } });
    }
    expect(environmentOf(handler)).toHaveProperty('LAMBASE_TABLE_NAME');
  });

  it('deleting the account may find and delete what the user owns (push endpoints and subscriptions too), then the user, and nothing else', () => {
    const handler = 'functions/auth/delete-me.ts';
    expect(actionsOf(handler).filter((action) => !action.startsWith('logs:')).sort()).toEqual([
      'cognito-idp:AdminDeleteUser',
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      's3:DeleteObject',
      'sns:DeleteEndpoint',
      'sns:Unsubscribe',
    ]);
  });

  it('exporting the account may only read', () => {
    const actions = actionsOf('functions/auth/export-me.ts').filter((action) => !action.startsWith('logs:'));
    expect(actions.every((action) => /^(cognito-idp:Admin(Get|List)|dynamodb:(Get|BatchGet|Query|ConditionCheck))/.test(action))).toBe(true);
  });
});
