/**
 * SDK clients, built once per cold start and handed to adapters. Endpoints come from the SDK's
 * own `AWS_ENDPOINT_URL_<SERVICE>` variables, which only local mode and tests set; in the cloud the
 * clients use their defaults.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export function createDocumentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
    unmarshallOptions: { wrapNumbers: false },
  });
}

export function createS3Client(): S3Client {
  // A local S3 endpoint is an IP address, so buckets go in the path; the local emulator also
  // wants plain (not aws-chunked) bodies.
  const local = process.env.AWS_ENDPOINT_URL_S3 !== undefined;
  return new S3Client(
    local ? { forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {},
  );
}

export function createCognitoClient(): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({});
}
