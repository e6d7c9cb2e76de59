/**
 * Storage in the template: each storage function holds exactly its one S3 action on `files/*`,
 * nothing on the rest of the bucket, and the bucket sends object-created events under `files/` to
 * the verify-upload trigger (whose failed events end in the dead-letter queue).
 */
import { describe, expect, it } from 'vitest';
import { functionId } from '../../lib/routes.js';
import { storageRoutes, storageTriggers } from '../../lib/routes/storage-routes.js';
import { synthStack } from './synth.js';

const { template } = synthStack({ stage: 'dev' });

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, unknown> };

const filesBucketId = Object.entries(template.findResources('AWS::S3::Bucket')).find(
  ([, bucket]) => (bucket as Resource).Properties.CorsConfiguration,
)![0];

function functionOf(handler: string): [string, Resource] {
  const id = functionId(handler);
  const found = Object.entries(template.findResources('AWS::Lambda::Function')).find(([logicalId]) => logicalId.includes(id));
  expect(found, handler).toBeDefined();
  return found as [string, Resource];
}

function statementsOf(handler: string): Statement[] {
  const [, fn] = functionOf(handler);
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statement: Statement) => [statement.Action].flat();

describe('storage functions: least privilege on the files bucket', () => {
  const expected: Record<string, string[]> = {
    'functions/storage/request-upload.ts': ['s3:PutObject'],
    'functions/storage/list-files.ts': [],
    'functions/storage/get-file.ts': ['s3:GetObject'],
    'functions/storage/delete-file.ts': ['s3:DeleteObject'],
    'functions/storage/verify-upload.ts': ['s3:DeleteObject', 's3:GetObject'],
  };

  it('covers every storage route and trigger', () => {
    expect([...storageRoutes, ...storageTriggers].map((entry) => entry.handler).sort()).toEqual(Object.keys(expected).sort());
  });

  it.each(Object.entries(expected))('%s may do exactly %j, and only on files/*', (handler, actions) => {
    const s3Statements = statementsOf(handler).filter((statement) => actionsOf(statement).some((action) => action.startsWith('s3:')));

    expect(s3Statements.flatMap(actionsOf).sort()).toEqual(actions);
    for (const statement of s3Statements) {
      expect(statement.Effect).toBe('Allow');
      const resources = [statement.Resource].flat();
      expect(resources).toHaveLength(1);
      // arn:…:<files bucket>/files/* and nothing wider (no bucket ARN, no other prefix, no wildcard).
      expect(resources[0]).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [filesBucketId, 'Arn'] }, '/files/*']] });
    }
  });

  it('lets the listing function read the table but not write file records', () => {
    const tableStatements = statementsOf('functions/storage/list-files.ts').filter((statement) =>
      actionsOf(statement).some((action) => action.startsWith('dynamodb:')),
    );
    const unconditional = tableStatements.filter((statement) => statement.Condition === undefined).flatMap(actionsOf);
    expect(unconditional).toContain('dynamodb:Query');
    expect(unconditional.filter((action) => /Put|Update|Delete|Write/.test(action))).toEqual([]);
  });

  it('gives the upload, delete and trigger functions the bucket name, and the listing function none', () => {
    const variables = (handler: string) =>
      (functionOf(handler)[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables('functions/storage/request-upload.ts').LAMBASE_BUCKET_NAME).toEqual({ Ref: filesBucketId });
    expect(variables('functions/storage/verify-upload.ts').LAMBASE_BUCKET_NAME).toEqual({ Ref: filesBucketId });
    expect(variables('functions/storage/list-files.ts').LAMBASE_BUCKET_NAME).toBeUndefined();
  });
});

describe('the object-created trigger', () => {
  const [triggerId] = functionOf('functions/storage/verify-upload.ts');

  it('receives every object-created event under files/ from the files bucket, and no other', () => {
    const notifications = Object.values(template.findResources('Custom::S3BucketNotifications')) as Resource[];
    expect(notifications).toHaveLength(1);
    const { BucketName, NotificationConfiguration } = notifications[0]!.Properties as {
      BucketName: unknown;
      NotificationConfiguration: { LambdaFunctionConfigurations: unknown[] };
    };
    expect(BucketName).toEqual({ Ref: filesBucketId });
    expect(NotificationConfiguration.LambdaFunctionConfigurations).toEqual([
      {
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'files/' }] } },
        LambdaFunctionArn: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      },
    ]);
  });

  it('may be invoked by S3 for this bucket only', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [triggerId, 'Arn'] },
      Principal: 's3.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [filesBucketId, 'Arn'] },
    });
  });

  it('retries failed events, then hands them to the dead-letter queue', () => {
    const configs = Object.values(template.findResources('AWS::Lambda::EventInvokeConfig')) as Resource[];
    const config = configs.find((candidate) => JSON.stringify(candidate.Properties.FunctionName).includes(triggerId));
    expect(config?.Properties).toMatchObject({
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [expect.stringContaining('DeadLetters'), 'Arn'] } } },
    });
  });
});
