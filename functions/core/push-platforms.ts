/**
 * Push platforms and the shape of their credentials secrets (JSON in Secrets Manager):
 * - apns / apnsSandbox (token auth): { "signingKey": "-----BEGIN PRIVATE KEY-----…", "keyId", "teamId", "bundleId" }
 * - fcm (HTTP v1): { "serviceAccountJson": "{…the Firebase service-account file…}" }
 */
import { z } from 'zod';

export type PushPlatform = 'apns' | 'apnsSandbox' | 'fcm';

const apnsSecret = z.object({
  signingKey: z.string().min(1),
  keyId: z.string().min(1),
  teamId: z.string().min(1),
  bundleId: z.string().min(1),
});
const fcmSecret = z.object({ serviceAccountJson: z.string().min(1) });

/** SNS platform-application attributes for `platform`, from its secret. */
export function platformAttributes(platform: PushPlatform, secret: unknown): Record<string, string> {
  if (platform === 'fcm') {
    const parsed = fcmSecret.safeParse(secret);
    if (!parsed.success) throw new Error('The FCM secret must be JSON with a "serviceAccountJson" string.');
    return { PlatformCredential: parsed.data.serviceAccountJson };
  }
  const parsed = apnsSecret.safeParse(secret);
  if (!parsed.success) throw new Error('The APNs secret must be JSON with "signingKey", "keyId", "teamId" and "bundleId".');
  return {
    PlatformCredential: parsed.data.signingKey,
    PlatformPrincipal: parsed.data.keyId,
    ApplePlatformTeamID: parsed.data.teamId,
    ApplePlatformBundleID: parsed.data.bundleId,
  };
}
