/**
 * CloudFormation has no resource for SNS platform applications, so this custom resource creates
 * one per configured push platform from its Secrets Manager secret (the credential never appears
 * in the template or in a log). A secret that does not exist yet leaves the platform unconfigured
 * instead of failing the deploy: push to it answers "not configured" until the secret is created
 * and the stack deployed again with `-c pushRefresh=<anything new>`.
 */
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { platformAttributes, type PushPlatform } from '../core/push/push-platforms.js';
import { logger } from '../shared/logger.js';
import { platformApplications, pushSecrets } from './push-wiring.js';

const applications = platformApplications();
const readSecret = pushSecrets();

type Properties = { Platform: PushPlatform; SecretName: string; Name: string };

export async function handler(event: CdkCustomResourceEvent): Promise<CdkCustomResourceResponse> {
  const { Platform, SecretName, Name } = event.ResourceProperties as unknown as Properties & { ServiceToken: string };
  const existingArn = event.RequestType === 'Create' ? undefined : arnOrUndefined(event.PhysicalResourceId);

  if (event.RequestType === 'Delete') {
    if (existingArn) await applications.delete(existingArn);
    return { PhysicalResourceId: event.PhysicalResourceId };
  }

  const secret = await readSecret(SecretName);
  if (secret === undefined) {
    logger.warn('push platform not configured: its secret does not exist', { platform: Platform, secretName: SecretName });
    if (existingArn) await applications.delete(existingArn);
    return { PhysicalResourceId: `unconfigured:${Platform}`, Data: { Arn: '' } };
  }
  const attributes = platformAttributes(Platform, secret);
  if (existingArn) {
    await applications.setAttributes(existingArn, attributes);
    return { PhysicalResourceId: existingArn, Data: { Arn: existingArn } };
  }
  const arn = await applications.create(Name, Platform, attributes);
  logger.info('push platform application ready', { platform: Platform, arn });
  return { PhysicalResourceId: arn, Data: { Arn: arn } };
}

function arnOrUndefined(physicalId: string): string | undefined {
  return physicalId.startsWith('arn:') ? physicalId : undefined;
}
