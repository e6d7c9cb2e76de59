/**
 * Push platforms, under their three names, and the shape of their credentials secrets (JSON in
 * Secrets Manager):
 * - apns / apnsSandbox (token auth): { "signingKey": "-----BEGIN PRIVATE KEY-----…", "keyId", "teamId", "bundleId" }
 * - fcm (HTTP v1): { "serviceAccountJson": "{…the Firebase service-account file…}" }
 */
import * as z from '../zod.js';

/** A platform as lambase.config.ts `push` names it (and the CDK's resources). */
export type PushPlatform = 'apns' | 'apnsSandbox' | 'fcm';

/** A platform as the HTTP API names it (`POST /push/devices { platform }`). */
export const DEVICE_PLATFORMS = ['apns', 'apns-sandbox', 'fcm'] as const;
export type DevicePlatform = (typeof DEVICE_PLATFORMS)[number];

/** The lambase.config.ts `push` key of each API platform. */
export const CONFIG_KEY: Record<DevicePlatform, PushPlatform> = { apns: 'apns', 'apns-sandbox': 'apnsSandbox', fcm: 'fcm' };

/** SNS's name of each platform: a platform application's `Platform`, and its key in a `MessageStructure: json` message. */
export type SnsPlatform = 'APNS' | 'APNS_SANDBOX' | 'GCM';
export const SNS_PLATFORM: Record<PushPlatform, SnsPlatform> = { apns: 'APNS', apnsSandbox: 'APNS_SANDBOX', fcm: 'GCM' };

const nonEmpty = () => z.string().check(z.minLength(1));
// Built in calls marked pure (esbuild cannot tell that `.check()` changes nothing): only the
// platform-application resource reads secrets; every push function imports the names above.
const apnsSecret = /* @__PURE__ */ (() => z.object({ signingKey: nonEmpty(), keyId: nonEmpty(), teamId: nonEmpty(), bundleId: nonEmpty() }))();
const fcmSecret = /* @__PURE__ */ (() => z.object({ serviceAccountJson: nonEmpty() }))();

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
