/**
 * No emulator implements SNS mobile push, so the custom resource is checked against the exact
 * commands it sends (aws-sdk-client-mock).
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { handler } from '../../../functions/push/platform-application-resource.js';

const secrets = mockClient(SecretsManagerClient);
const sns = mockClient(SNSClient);
const ARN = 'arn:aws:sns:eu-west-1:123456789012:app/GCM/lambase-dev-fcm-abc';

const event = (type: 'Create' | 'Update' | 'Delete', physicalId?: string, platform = 'fcm') =>
  ({
    RequestType: type,
    ...(physicalId ? { PhysicalResourceId: physicalId } : {}),
    ResourceProperties: { ServiceToken: 'x', Platform: platform, SecretName: `lambase/push/${platform}`, Name: `lambase-dev-${platform}-abc` },
  }) as unknown as CdkCustomResourceEvent;

beforeEach(() => {
  secrets.reset();
  sns.reset();
});

describe('the push platform-application custom resource', () => {
  it('creates an FCM platform application from its secret', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ serviceAccountJson: '{"type":"service_account"}' }) });
    sns.on(CreatePlatformApplicationCommand).resolves({ PlatformApplicationArn: ARN });
    expect(await handler(event('Create'))).toEqual({ PhysicalResourceId: ARN, Data: { Arn: ARN } });
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]!.args[0].input).toEqual({
      Name: 'lambase-dev-fcm-abc',
      Platform: 'GCM',
      Attributes: { PlatformCredential: '{"type":"service_account"}' },
    });
  });

  it('creates an APNs application with token credentials', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ signingKey: 'KEY', keyId: 'K1', teamId: 'T1', bundleId: 'com.example' }) });
    sns.on(CreatePlatformApplicationCommand).resolves({ PlatformApplicationArn: ARN });
    await handler(event('Create', undefined, 'apnsSandbox'));
    expect(sns.commandCalls(CreatePlatformApplicationCommand)[0]!.args[0].input).toMatchObject({
      Platform: 'APNS_SANDBOX',
      Attributes: { PlatformCredential: 'KEY', PlatformPrincipal: 'K1', ApplePlatformTeamID: 'T1', ApplePlatformBundleID: 'com.example' },
    });
  });

  it('leaves a platform unconfigured, without failing the deploy, while its secret does not exist', async () => {
    secrets.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    expect(await handler(event('Create'))).toEqual({ PhysicalResourceId: 'unconfigured:fcm', Data: { Arn: '' } });
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    expect(await handler(event('Create'))).toMatchObject({ PhysicalResourceId: 'unconfigured:fcm' });
    expect(sns.commandCalls(CreatePlatformApplicationCommand)).toHaveLength(0);
  });

  it('updates the credentials in place, and deletes the application with the stack', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ serviceAccountJson: 'new' }) });
    expect(await handler(event('Update', ARN))).toEqual({ PhysicalResourceId: ARN, Data: { Arn: ARN } });
    expect(sns.commandCalls(SetPlatformApplicationAttributesCommand)[0]!.args[0].input).toEqual({ PlatformApplicationArn: ARN, Attributes: { PlatformCredential: 'new' } });
    expect(await handler(event('Delete', ARN))).toEqual({ PhysicalResourceId: ARN });
    expect(sns.commandCalls(DeletePlatformApplicationCommand)[0]!.args[0].input).toEqual({ PlatformApplicationArn: ARN });
    await handler(event('Delete', 'unconfigured:fcm'));
    expect(sns.commandCalls(DeletePlatformApplicationCommand)).toHaveLength(1);
  });

  it('refuses a secret of the wrong shape with a message that says what it must hold', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ key: 'x' }) });
    await expect(handler(event('Create'))).rejects.toThrow('The FCM secret must be JSON with a "serviceAccountJson" string.');
  });
});
