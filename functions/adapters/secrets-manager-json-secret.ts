/** JSON secrets in Secrets Manager, read by name (push credentials). */
import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** The secret's JSON, or `undefined` when no secret of that name exists (yet). */
export async function readJsonSecret(client: SecretsManagerClient, secretName: string): Promise<Record<string, string> | undefined> {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretName }));
    return JSON.parse(SecretString ?? '{}') as Record<string, string>;
  } catch (error) {
    // A secret that does not exist yet: "not found", or "access denied" when IAM judges the bare name.
    if (error instanceof ResourceNotFoundException || (error as { name?: string }).name === 'AccessDeniedException') return undefined;
    throw error;
  }
}
