/**
 * SDK clients, built once per cold start and handed to adapters. Endpoints come from the SDK's
 * own `AWS_ENDPOINT_URL_<SERVICE>` variables, which only local mode and tests set; in the cloud the
 * clients use their defaults.
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { recordDynamoDbCall } from '../shared/dynamodb-usage.js';

/**
 * A DynamoDB client whose every request asks for its consumed capacity and reports it, with the
 * call, to the current request's usage record (functions/shared/dynamodb-usage.ts).
 */
export function createDynamoDbClient(): DynamoDBClient {
  const client = new DynamoDBClient({});
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity ??= 'TOTAL';
      const operation = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
      try {
        const result = await next(args);
        recordDynamoDbCall(operation, (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity);
        return result;
      } catch (error) {
        // A refused condition still costs a call (and write capacity DynamoDB does not report here).
        recordDynamoDbCall(operation, undefined);
        throw error;
      }
    },
    { step: 'initialize', name: 'lambaseUsage' },
  );
  return client;
}

/** The document-level client adapters use (plain JavaScript values in and out). */
export function createDocumentClient(client: DynamoDBClient = createDynamoDbClient()): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
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
