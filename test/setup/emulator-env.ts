/**
 * Points the production adapters at the emulators the way local mode does: the SDK's own
 * AWS_ENDPOINT_URL_<SERVICE> variables and the LAMBASE_* names the CDK would set. Runs before
 * each integration test file, so handler modules read this environment when they load.
 */
import { inject } from 'vitest';
import { ENV } from '../../functions/shared/env.js';

const emulators = inject('emulators');

Object.assign(process.env, {
  AWS_REGION: emulators.region,
  AWS_DEFAULT_REGION: emulators.region,
  AWS_ACCESS_KEY_ID: emulators.credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: emulators.credentials.secretAccessKey,
  AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
  AWS_ENDPOINT_URL_S3: emulators.s3Endpoint,
  AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: emulators.cognitoEndpoint,
  AWS_ENDPOINT_URL_SNS: emulators.snsEndpoint,
  [ENV.stage]: 'test',
  [ENV.tableName]: emulators.tableName,
  [ENV.bucketName]: emulators.bucketName,
  [ENV.userPoolId]: emulators.userPoolId,
  [ENV.userPoolClientId]: emulators.userPoolClientId,
  [ENV.pushApplications]: JSON.stringify(emulators.pushApplications),
  [ENV.pushTopics]: JSON.stringify(emulators.pushTopics),
});
