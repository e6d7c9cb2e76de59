/**
 * The push feature's wiring: its parts, each built on call over the environment's shared SDK
 * clients (the pattern: functions/data/data-wiring.ts).
 */
import { secretsManagerClient, snsClient } from '../adapters/aws-clients.js';
import { readJsonSecret } from '../adapters/secrets-manager-json-secret.js';
import { SnsPlatformApplications } from '../adapters/sns-platform-applications.js';

/** SNS platform applications (the custom resource's grants: `sns:*PlatformApplication*`). */
export function platformApplications(): SnsPlatformApplications {
  return new SnsPlatformApplications(snsClient());
}

/** Reads a push platform's credentials secret by name (`secretsmanager:GetSecretValue` on `lambase/push/*`). */
export function pushSecrets(): (secretName: string) => Promise<Record<string, string> | undefined> {
  const client = secretsManagerClient();
  return (secretName) => readJsonSecret(client, secretName);
}
