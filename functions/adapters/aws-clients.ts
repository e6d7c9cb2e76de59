/**
 * The AWS SDK clients, each built once per execution environment (the first time a function asks
 * for it) and shared by every adapter in it: a client holds its connection pool and credentials,
 * so a second one only costs cold-start time and sockets. Endpoints come from the SDK's own
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, which only local mode and tests set; in the cloud the
 * clients use their defaults.
 *
 * Wiring files (functions/<feature>/<feature>-wiring.ts) use the getters; tests that need a
 * client of their own use the `create…` builders.
 *
 * @example
 * const store = new DynamoDbFileRecordStore(documentClient(dynamoDbMeter), tableName);
 */
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * Where the DynamoDB client reports each call (`GetItem`, `Query`…) and the capacity it consumed.
 * The HTTP stack provides one that counts per request (functions/shared/dynamodb-usage.ts), so
 * adapters never depend on the HTTP layer. `capacityWanted` says whether anyone reads the
 * capacity (a metric, a log line, the benchmark's header): only then does each request ask
 * DynamoDB for it, which costs DynamoDB Local ~0.3 ms a call.
 */
export type DynamoDbMeter = {
  record(operation: string, consumed: ConsumedCapacity | ConsumedCapacity[] | undefined): void;
  capacityWanted(): boolean;
};
type ConsumedCapacity = { CapacityUnits?: number };

/**
 * A new DynamoDB client whose every request is reported to `meter`, with its consumed capacity
 * when the meter wants it.
 */
export function createDynamoDbClient(meter?: DynamoDbMeter): DynamoDBClient {
  const client = new DynamoDBClient({});
  if (!meter) return client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      if (meter.capacityWanted()) input.ReturnConsumedCapacity ??= 'TOTAL';
      const operation = context.commandName?.replace(/Command$/, '') ?? 'Unknown';
      try {
        const result = await next(args);
        meter.record(operation, (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] }).ConsumedCapacity);
        return result;
      } catch (error) {
        // A refused condition still costs a call (and write capacity DynamoDB does not report here).
        meter.record(operation, undefined);
        throw error;
      }
    },
    { step: 'initialize', name: 'lambaseUsage' },
  );
  return client;
}

/** A new document-level client (plain JavaScript values in and out) over `client`. */
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

// Plain functions over module variables (not `once(...)` calls at module scope), so a bundle
// keeps only the SDK clients its function uses.
let dynamodb: { meter: DynamoDbMeter; client: DynamoDBClient } | undefined;
let documents: DynamoDBDocumentClient | undefined;
let s3: S3Client | undefined;
let cognito: CognitoIdentityProviderClient | undefined;
let sns: SNSClient | undefined;
let secretsManager: SecretsManagerClient | undefined;
let lambda: LambdaClient | undefined;
let connections: ApiGatewayManagementApiClient | undefined;

/**
 * The execution environment's DynamoDB client, metered by `meter`. There is one meter per
 * environment (the HTTP stack's); a second one would need a second client, which is a wiring bug.
 */
export function dynamoDbClient(meter: DynamoDbMeter): DynamoDBClient {
  dynamodb ??= { meter, client: createDynamoDbClient(meter) };
  if (dynamodb.meter !== meter) throw new Error('The DynamoDB client of this environment is metered by another meter.');
  return dynamodb.client;
}

/** The execution environment's document client, over its one DynamoDB client. */
export function documentClient(meter: DynamoDbMeter): DynamoDBDocumentClient {
  documents ??= createDocumentClient(dynamoDbClient(meter));
  return documents;
}

/** The execution environment's S3 client. */
export function s3Client(): S3Client {
  s3 ??= createS3Client();
  return s3;
}

/** The execution environment's Cognito client. */
export function cognitoClient(): CognitoIdentityProviderClient {
  cognito ??= createCognitoClient();
  return cognito;
}

/** The execution environment's SNS client. */
export function snsClient(): SNSClient {
  sns ??= new SNSClient({});
  return sns;
}

/** The execution environment's Secrets Manager client. */
export function secretsManagerClient(): SecretsManagerClient {
  secretsManager ??= new SecretsManagerClient({});
  return secretsManager;
}

/** The execution environment's Lambda client (the event dispatcher invokes user functions with it). */
export function lambdaClient(): LambdaClient {
  lambda ??= new LambdaClient({});
  return lambda;
}

/**
 * The execution environment's client of a WebSocket API's `@connections` API. It has no default
 * endpoint: `endpoint` is the API stage's callback URL (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`).
 */
export function connectionsClient(endpoint: string): ApiGatewayManagementApiClient {
  connections ??= new ApiGatewayManagementApiClient({ endpoint });
  return connections;
}
