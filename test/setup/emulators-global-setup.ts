/**
 * Integration tests talk to real emulators over their real protocols. They are started once for
 * the whole run, on free loopback ports, provisioned from the same definitions the CDK deploys,
 * and stopped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import backend from '../../lambase.config.js';
import { startCognito } from '../../local/emulators/cognito/start-cognito.js';
import { startDynamoDb } from '../../local/emulators/dynamodb.js';
import { LOCAL_CREDENTIALS } from '../../local/emulators/local-credentials.js';
import { startS3 } from '../../local/emulators/s3/start-s3.js';
import { startSns } from '../../local/emulators/sns/start-sns.js';
import { CONFIG_KEY, DEVICE_PLATFORMS } from '../../functions/core/push/push-platforms.js';
import { provisionTable } from '../../local/provision-table.js';

export type EmulatorContext = {
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  dynamodbEndpoint: string;
  s3Endpoint: string;
  cognitoEndpoint: string;
  snsEndpoint: string;
  /** Platform application ARN per push platform of the config, and topic ARN per topic (the push construct's). */
  pushApplications: Record<string, string>;
  pushTopics: Record<string, string>;
  tableName: string;
  bucketName: string;
  userPoolId: string;
  userPoolClientId: string;
};

declare module 'vitest' {
  export interface ProvidedContext {
    emulators: EmulatorContext;
  }
}

export default async function setup(project: TestProject) {
  const region = 'us-east-1';
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-integration-'));
  const tableName = 'lambase-test';
  const bucketName = 'lambase-test-files';
  // Whatever started is stopped, whether the run ends or setup fails half-way.
  const stops: (() => Promise<void>)[] = [];
  const teardown = async () => {
    await Promise.allSettled(stops.splice(0).map((stop) => stop()));
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    const [dynamodb, s3, cognito, sns] = await Promise.allSettled([
      startDynamoDb({ log: (line) => console.log(line) }),
      startS3({ dataDir: path.join(dataDir, 's3'), region, buckets: [{ name: bucketName, allowedOrigins: ['*'] }] }),
      startCognito({ dataDir: path.join(dataDir, 'cognito'), region, groups: [backend.auth.adminGroup, ...backend.auth.groups, 'editors'] }),
      startSns({
        dataDir: path.join(dataDir, 'sns'),
        region,
        platforms: DEVICE_PLATFORMS.filter((platform) => backend.push[CONFIG_KEY[platform]]),
        topics: backend.push.topics,
        namePrefix: 'lambase-test',
      }),
    ]);
    for (const started of [dynamodb, s3, cognito, sns]) if (started.status === 'fulfilled') stops.push(() => started.value.stop());
    if (dynamodb.status === 'rejected') throw dynamodb.reason;
    if (s3.status === 'rejected') throw s3.reason;
    if (cognito.status === 'rejected') throw cognito.reason;
    if (sns.status === 'rejected') throw sns.reason;

    await provisionTable({ endpoint: dynamodb.value.endpoint, region }, tableName);

    project.provide('emulators', {
      region,
      credentials: { ...LOCAL_CREDENTIALS },
      dynamodbEndpoint: dynamodb.value.endpoint,
      s3Endpoint: s3.value.endpoint,
      cognitoEndpoint: cognito.value.endpoint,
      snsEndpoint: sns.value.endpoint,
      pushApplications: sns.value.applicationArns,
      pushTopics: sns.value.topicArns,
      tableName,
      bucketName,
      userPoolId: cognito.value.userPoolId,
      userPoolClientId: cognito.value.userPoolClientId,
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}
