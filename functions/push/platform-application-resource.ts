/**
 * CloudFormation has no resource for SNS platform applications, so this custom resource creates
 * one per configured push platform from its Secrets Manager secret (the credential never appears
 * in the template or in a log). A secret that does not exist yet leaves the platform unconfigured
 * instead of failing the deploy: push to it answers "not configured" until the secret is created
 * and the stack deployed again with `-c pushRefresh=<anything new>`.
 */
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  CreatePlatformApplicationCommand,
  DeletePlatformApplicationCommand,
  SetPlatformApplicationAttributesCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { platformAttributes, type PushPlatform } from '../core/push-platforms.js';
import { logger } from '../shared/logger.js';

const secrets = new SecretsManagerClient({});
const sns = new SNSClient({});

type Properties = { Platform: PushPlatform; SecretName: string; Name: string };

export async function handler(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
  const { Platform, SecretName, Name } = event.ResourceProperties as unknown as Properties & { ServiceToken: string };
  const existingArn = event.RequestType === 'Create' ? undefined : arnOrUndefined(event.PhysicalResourceId);

  if (event.RequestType === 'Delete') {
    if (existingArn) await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: existingArn }));
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const secret = await readSecret(SecretName);
  if (secret === undefined) {
    logger.warn('push platform not configured: its secret does not exist', { platform: Platform, secretName: SecretName });
    if (existingArn) await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn: existingArn }));
    return { PhysicalResourceId: `unconfigured:${Platform}`, Data: { Arn: '' } };
  }
  const attributes = platformAttributes(Platform, secret);
  if (existingArn) {
    await sns.send(new SetPlatformApplicationAttributesCommand({ PlatformApplicationArn: existingArn, Attributes: attributes }));
    return { PhysicalResourceId: existingArn, Data: { Arn: existingArn } };
  }
  const created = await sns.send(
    new CreatePlatformApplicationCommand({ Name, Platform: Platform === 'fcm' ? 'GCM' : Platform === 'apns' ? 'APNS' : 'APNS_SANDBOX', Attributes: attributes }),
  );
  const arn = created.PlatformApplicationArn!;
  logger.info('push platform application ready', { platform: Platform, arn });
  return { PhysicalResourceId: arn, Data: { Arn: arn } };
}

async function readSecret(secretName: string): Promise<Record<string, string> | undefined> {
  try {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: secretName }));
    return JSON.parse(SecretString ?? '{}') as Record<string, string>;
  } catch (error) {
    // A secret that does not exist yet: "not found", or "access denied" when IAM judges the bare name.
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'AccessDeniedException') return undefined;
    throw error;
  }
}

function arnOrUndefined(physicalId: string): string | undefined {
  return physicalId.startsWith('arn:') ? physicalId : undefined;
}
