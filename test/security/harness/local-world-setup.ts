/**
 * Global setup of the HTTP part of the suite: one local backend for every file (the same
 * `startLocal` as `npm start`, gateway and authorizer included), its callers, and its stop at the
 * end. The stage's throttle is raised so the suite measures refusals, not the token bucket; the
 * public auth routes keep their own tight throttle, which the suite's client waits out. The
 * functions reach the emulators through the fault proxy (fault-proxy.ts), which passes every call
 * until a test asks for faults. The backend is the example's with the suite's probe functions
 * (security-backend.ts), whose groups it creates; the probe event function notes what it handles
 * in `probeEventsFile`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocal } from '../../../local/start-local.js';
import { startFaultProxy } from './fault-proxy.js';
import { worldBackend } from './security-backend.js';
import { makeUser, MEMBER_GROUP, newSession, PASSWORD, uniqueEmail, type World } from './world.js';

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-security-'));
  const admin = { email: uniqueEmail('admin'), password: PASSWORD };
  const probeEventsFile = path.join(dataDir, 'probe-events.jsonl');
  const proxy = await startFaultProxy();
  const local = await startLocal({
    port: 0,
    dataDir,
    backend: worldBackend,
    admin,
    throttle: { rateLimit: 100_000, burstLimit: 100_000 },
    functionEnvironment: {
      FIXTURE_EVENTS_FILE: probeEventsFile,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoints.dynamodb,
      AWS_ENDPOINT_URL_S3: proxy.endpoints.s3,
      AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: proxy.endpoints.cognito,
      AWS_ENDPOINT_URL_SNS: proxy.endpoints.sns,
    },
  }).catch(async (error: unknown) => {
    await proxy.stop();
    throw error;
  });
  proxy.forwardTo({ dynamodb: local.endpoints.dynamodb, s3: local.endpoints.s3, cognito: local.endpoints.cognito, sns: local.endpoints.sns });
  const teardown = async () => {
    await local.stop();
    await proxy.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    const codeOf = async (email: string) => local.outbox.toJSON().emails.findLast((mail) => mail.to === email && mail.code)?.code ?? '';
    const [owner, other, member] = await Promise.all([
      makeUser(local, codeOf, { prefix: 'owner' }),
      makeUser(local, codeOf, { prefix: 'other' }),
      makeUser(local, codeOf, { prefix: 'member', groups: [MEMBER_GROUP] }),
    ]);
    const adminTokens = await newSession(local, admin);
    const adminId = JSON.parse(Buffer.from(adminTokens.accessToken.split('.')[1]!, 'base64url').toString('utf8')).sub as string;
    const world: World = {
      url: local.url,
      realtimeUrl: local.realtimeUrl,
      dataDir,
      region: local.region,
      userPoolId: local.userPoolId,
      userPoolClientId: local.userPoolClientId,
      tableName: local.tableName,
      bucketName: local.bucketName,
      endpoints: local.endpoints,
      credentials: local.credentials,
      faultControl: proxy.controlUrl,
      memberGroup: MEMBER_GROUP,
      adminGroup: worldBackend.auth.adminGroup,
      probeEventsFile,
      users: { owner, other, member, admin: { ...admin, userId: adminId, ...adminTokens } },
    };
    project.provide('securityWorld', world);
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
