/**
 * Push platforms and the shape of their credentials secrets (JSON in Secrets Manager):
 * - apns / apnsSandbox (token auth): { "signingKey": "-----BEGIN PRIVATE KEY-----…", "keyId", "teamId", "bundleId" }
 * - fcm (HTTP v1): { "serviceAccountJson": "{…the Firebase service-account file…}" }
 */
import * as z from './zod.js';

export type PushPlatform = 'apns' | 'apnsSandbox' | 'fcm';

const nonEmpty = () => z.string().check(z.minLength(1));
const apnsSecret = z.object({ signingKey: nonEmpty(), keyId: nonEmpty(), teamId: nonEmpty(), bundleId: nonEmpty() });
const fcmSecret = z.object({ serviceAccountJson: nonEmpty() });

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
