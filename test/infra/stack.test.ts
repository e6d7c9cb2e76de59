import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { functionId, routes } from '../../lib/routes.js';
import backend from '../../lambase.config.js';
import { defineBackend } from '../../functions/core/config/define-backend.js';
import { PASSWORD_POLICY } from '../../lib/auth/auth-settings.js';
import { synthStack } from './synth.js';

const dev = synthStack({ stage: 'dev' });
const prod = synthStack({ stage: 'prod', allowedOrigins: ['https://app.example.com'], adminEmail: 'boss@example.com' });

type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string };
const resources = (template: typeof dev.template, type: string) =>
  Object.values(template.findResources(type)) as Resource[];

describe('cdk-nag AwsSolutions', () => {
  it.each([['dev', dev], ['prod', prod]])('%s has no unacknowledged error', (_stage, synth) => {
    expect(synth.violations.filter((violation) => violation.severity === 'error')).toEqual([]);
    expect(synth.nagFailed).toBe(false);
  });
});

describe('auth: the Cognito user pool', () => {
  it('signs in with email, verifies it, and enforces a strong password policy', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: false },
      Policies: {
        PasswordPolicy: {
          MinimumLength: PASSWORD_POLICY.minLength,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
    });
  });

  it('turns threat protection (auditing) and deletion protection on outside development stages', () => {
    prod.template.hasResourceProperties('AWS::Cognito::UserPool', {
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' },
      DeletionProtection: 'ACTIVE',
    });
    expect(resources(prod.template, 'AWS::Cognito::UserPool')[0]!.DeletionPolicy).toBe('Retain');
    expect(resources(dev.template, 'AWS::Cognito::UserPool')[0]!.DeletionPolicy).toBe('Delete');
  });

  it('has one public app client for USER_PASSWORD_AUTH and refresh, without user enumeration', () => {
    dev.template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']),
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      AccessTokenValidity: 60,
      IdTokenValidity: 60,
      RefreshTokenValidity: 43200,
      TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'minutes' },
    });
  });

  it('offers no OAuth flows (no hosted UI, no default callback)', () => {
    const client = resources(dev.template, 'AWS::Cognito::UserPoolClient')[0]!;
    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.CallbackURLs).toBeUndefined();
  });

  it('sends email through SES when the config names a sender, and warns a kept stage that does not', () => {
    const withSes = synthStack({
      stage: 'prod',
      allowedOrigins: ['https://app.example.com'],
      backend: defineBackend({ ...backend.definition, auth: { ...backend.definition.auth, email: { from: 'no-reply@example.com' } } }),
    });
    withSes.template.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', From: 'no-reply@example.com', SourceArn: Match.anyValue() },
    });
    const warnings = prod.template.findResources('AWS::Cognito::UserPool');
    expect(Object.keys(warnings)).toHaveLength(1);
    expect(JSON.stringify(prod.stack.node.findAll().flatMap((node) => node.node.metadata))).toContain('about 50 emails a day');
  });

  it('creates the admin group, and the first admin when asked', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'admin' });
    dev.template.resourceCountIs('AWS::Cognito::UserPoolUser', 0);
    prod.template.hasResourceProperties('AWS::Cognito::UserPoolUser', { Username: 'boss@example.com', DesiredDeliveryMediums: ['EMAIL'] });
    prod.template.hasResourceProperties('AWS::Cognito::UserPoolUserToGroupAttachment', { GroupName: 'admin' });
  });
});

describe('data: the single table', () => {
  it('is on-demand, recoverable, streamed, encrypted, with TTL and the generic indexes', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
    const table = resources(dev.template, 'AWS::DynamoDB::Table')[0]!;
    const indexNames = (table.Properties.GlobalSecondaryIndexes as { IndexName: string }[]).map((index) => index.IndexName);
    expect(indexNames).toEqual(['byOwnerCreated', 'byOwnerUpdated', 'byCollection', 'ix1', 'ix2', 'ix3', 'ix4', 'ix5']);
  });

  it('is kept, with deletion protection, outside development stages only', () => {
    expect(resources(dev.template, 'AWS::DynamoDB::Table')[0]!.DeletionPolicy).toBe('Delete');
    const table = resources(prod.template, 'AWS::DynamoDB::Table')[0]!;
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });
});

describe('storage: the files bucket', () => {
  const files = () =>
    resources(prod.template, 'AWS::S3::Bucket').find((bucket) => bucket.Properties.CorsConfiguration)!;

  it('blocks public access, encrypts, logs access and cleans up incomplete uploads', () => {
    const { Properties } = files();
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(Properties.LoggingConfiguration).toMatchObject({ LogFilePrefix: 'files/' });
    expect(Properties.LifecycleConfiguration).toEqual({
      Rules: [{ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }],
    });
  });

  it('allows browser POSTs from the configured origins only', () => {
    expect(files().Properties.CorsConfiguration).toEqual({
      CorsRules: [expect.objectContaining({ AllowedMethods: ['POST', 'GET', 'HEAD'], AllowedOrigins: ['https://app.example.com'] })],
    });
  });

  it('refuses requests without TLS', () => {
    prod.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('push', () => {
  it('creates a platform application per configured platform from its secret, and TLS-only encrypted topics', () => {
    dev.template.resourceCountIs('Custom::LambasePushPlatform', 3);
    dev.template.hasResourceProperties('Custom::LambasePushPlatform', { Platform: 'fcm', SecretName: 'lambase/push/fcm' });
    dev.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    dev.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('push: what each function may do in SNS', () => {
  type Statement = { Action: string | string[]; Resource: unknown };
  const statementsOf = (handler: string) => {
    const entries = Object.entries(dev.template.findResources('AWS::Lambda::Function'));
    const [, fn] = entries.find(([logicalId]) => logicalId.includes(functionId(handler)))!;
    const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    return Object.values(dev.template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('sns:')));
  };
  // CDK merges statements that share resources: look for the action inside each.
  const resourcesOf = (handler: string, action: string) =>
    JSON.stringify(statementsOf(handler).filter((statement) => [statement.Action].flat().includes(`sns:${action}`)).map((statement) => statement.Resource));

  it('gives the endpoint-level actions on "*" (SNS has no resource-level permissions for them), and only to the functions that call them', () => {
    expect(resourcesOf('functions/push/register-device.ts', 'CreatePlatformEndpoint')).toBe('["*"]');
    expect(resourcesOf('functions/push/register-device.ts', 'SetEndpointAttributes')).toBe('["*"]');
    for (const handler of ['functions/push/list-devices.ts', 'functions/data/create-document.ts', 'functions/auth/get-me.ts']) {
      expect(statementsOf(handler)).toEqual([]);
    }
  });

  it('publishes only to the config\'s topics and Lambase\'s endpoints', () => {
    const publish = resourcesOf('functions/push/send-notification.ts', 'Publish');
    expect(publish).toContain('PushTopicposts');
    expect(publish).toContain(':endpoint/APNS/lambase-dev-apns-');
    expect(statementsOf('functions/push/list-devices.ts')).toEqual([]);
    expect(statementsOf('functions/push/send-notification.ts').flatMap((statement) => [statement.Action].flat()).sort()).toEqual(['sns:DeleteEndpoint', 'sns:Publish', 'sns:Unsubscribe']);
  });

  it('tells each push function its platform applications and topics, and no other function', () => {
    const variables = (handler: string) => {
      const entries = Object.entries(dev.template.findResources('AWS::Lambda::Function'));
      const [, fn] = entries.find(([logicalId]) => logicalId.includes(functionId(handler)))!;
      return (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    };
    expect(Object.keys(variables('functions/push/send-notification.ts'))).toEqual(expect.arrayContaining(['LAMBASE_PUSH_APPLICATIONS', 'LAMBASE_PUSH_TOPICS']));
    expect(JSON.stringify(variables('functions/push/send-notification.ts').LAMBASE_PUSH_TOPICS)).toContain('PushTopicposts');
    expect(Object.keys(variables('functions/push/list-notifications.ts'))).not.toContain('LAMBASE_PUSH_APPLICATIONS');
  });
});

describe('api: the HTTP API', () => {
  it('answers CORS preflights with the contract\'s headers', () => {
    prod.template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['https://app.example.com'],
        AllowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
        ExposeHeaders: ['etag', 'x-request-id'],
      },
    });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { AllowOrigins: ['*'] } });
  });

  it('throttles and writes JSON access logs on the default stage', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: backend.api.throttle.rateLimit, ThrottlingBurstLimit: backend.api.throttle.burstLimit },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
    });
  });

  it('gives the public auth routes that send email or test passwords a tight throttle of their own', () => {
    // The HTTP API's stage (the realtime WebSocket API has its own, `realtime`).
    const stage = resources(dev.template, 'AWS::ApiGatewayV2::Stage').find((candidate) => candidate.Properties.StageName === '$default')!;
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    for (const key of ['POST /auth/sign-up', 'POST /auth/sign-in', 'POST /auth/forgot-password', 'POST /auth/resend-confirmation']) {
      expect(settings[key], key).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    }
    expect(settings['GET /me']).toBeUndefined();
  });

  it('puts the JWT authorizer on every 🔒 route and on no other', () => {
    const routeResources = resources(dev.template, 'AWS::ApiGatewayV2::Route');
    for (const route of routes) {
      const key = `${route.operation.method} ${route.operation.path}`;
      const resource = routeResources.find((candidate) => candidate.Properties.RouteKey === key);
      expect(resource, key).toBeDefined();
      if (route.operation.auth === 'required') {
        expect(resource!.Properties).toMatchObject({ AuthorizationType: 'JWT' });
        // A required scope would make API Gateway answer 403 to an ID token; the contract says 401.
        expect(resource!.Properties.AuthorizationScopes).toBeUndefined();
      } else {
        expect(resource!.Properties.AuthorizationType ?? 'NONE').toBe('NONE');
      }
    }
    expect(routeResources.find((resource) => resource.Properties.RouteKey === '$default')).toBeDefined();
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [Match.anyValue()], Issuer: Match.anyValue() },
    });
  });
});

describe('functions', () => {
  const functions = resources(dev.template, 'AWS::Lambda::Function').filter(
    (fn) => (fn.Properties.Handler as string) === 'index.handler' && fn.Properties.Runtime !== undefined,
  );

  it('run on arm64 with Node 22 or newer, with explicit memory, timeout and JSON logs', () => {
    const ours = functions.filter((fn) => (fn.Properties.Environment as { Variables?: Record<string, string> })?.Variables?.POWERTOOLS_SERVICE_NAME);
    expect(ours.length).toBeGreaterThanOrEqual(routes.length);
    for (const fn of ours) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime as string)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.MemorySize).toBeGreaterThan(0);
      expect(fn.Properties.Timeout).toBeGreaterThan(0);
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON' });
    }
  });

  const roleOf = (fn: Resource) => (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const actionsOf = (roleId: string) =>
    Object.values(dev.template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[])
      .flatMap((statement) => [statement.Action].flat());
  const functionOf = (handler: string) => {
    const entries = Object.entries(dev.template.findResources('AWS::Lambda::Function'));
    const id = functionId(handler);
    const found = entries.find(([logicalId]) => logicalId.includes(id));
    expect(found, handler).toBeDefined();
    return found![1] as Resource;
  };

  it('have their own role, with no managed policy', () => {
    for (const route of routes) {
      const roleId = roleOf(functionOf(route.handler));
      const role = dev.template.findResources('AWS::IAM::Role')[roleId] as Resource;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(actionsOf(roleId)).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents']));
    }
  });

  it('get exactly the permissions their route-table grants name (least privilege)', () => {
    for (const route of routes) {
      const actions = actionsOf(roleOf(functionOf(route.handler)));
      const kinds = new Set(route.grants.map((grant) => grant.kind));
      const services = new Set(actions.map((action) => action.split(':')[0]));
      expect(services.has('dynamodb'), `${route.handler} dynamodb`).toBe(kinds.has('table') || kinds.has('cursorKey'));
      expect(services.has('s3'), `${route.handler} s3`).toBe(kinds.has('bucket'));
      expect(services.has('cognito-idp'), `${route.handler} cognito`).toBe(kinds.has('userPool'));
      expect(services.has('sns'), `${route.handler} sns`).toBe(kinds.has('push'));
      expect([...services].every((service) => ['logs', 'dynamodb', 's3', 'cognito-idp', 'sns'].includes(service!))).toBe(true);
      expect(actions).not.toContain('dynamodb:Scan');
      for (const grant of route.grants) {
        if (grant.kind === 'userPool') {
          expect(actions.filter((action) => action.startsWith('cognito-idp:')).sort()).toEqual(
            grant.actions.map((action) => `cognito-idp:${action}`).sort(),
          );
        }
        if (grant.kind === 'push') {
          expect(actions.filter((action) => action.startsWith('sns:')).sort(), route.handler).toEqual(grant.actions.map((action) => `sns:${action}`).sort());
        }
      }
    }
  });

  it('keep a week of logs in development and three months elsewhere', () => {
    dev.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    prod.template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });
});

describe('outputs', () => {
  it('tell the client where everything is, versioned', () => {
    for (const name of ['OutputsVersion', 'ApiUrl', 'Region', 'UserPoolId', 'UserPoolClientId', 'BucketName']) {
      dev.template.hasOutput(name, {});
    }
    dev.template.hasOutput('OutputsVersion', { Value: '1' });
  });
});

describe('stages', () => {
  it('refuses a kept stage without allowed origins, naming the fix', () => {
    expect(() => synthStack({ stage: 'prod2' })).toThrow(/-c allowedOrigins=/);
  });
});
