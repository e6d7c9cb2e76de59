/**
 * The realtime feature's wiring: its parts, each built on call over the environment's shared SDK
 * clients, from the environment its grant provides (the pattern: functions/data/data-wiring.ts).
 *
 * @example
 * const deps = realtimeDependencies();
 * export const handler = frameHandler((frame, request) => receiveFrame({ ...deps, verifyToken: tokenVerifier() }, request, frame));
 */
import backend from '../../lambase.config.js';
import { createAccessTokenVerifier } from '../adapters/access-token-verifier.js';
import { ApiGatewayConnectionMessenger } from '../adapters/api-gateway-connection-messenger.js';
import { connectionsClient, documentClient } from '../adapters/aws-clients.js';
import { DynamoDbConnectionStore } from '../adapters/dynamodb-connection-store.js';
import { systemClock } from '../core/clock.js';
import type { RealtimeDependencies, TokenVerifier } from '../core/realtime/realtime-ports.js';
import { callerFromClaims } from '../shared/caller-identity.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

export { tableChangeOf } from '../adapters/dynamodb-stream-changes.js';

/** Connections and subscriptions in the single table (grant: `table`). */
export function connectionStore(): DynamoDbConnectionStore {
  return new DynamoDbConnectionStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** Frames to connections through the WebSocket API's `@connections` API (grant: `realtimeConnections`). */
export function connectionMessenger(): ApiGatewayConnectionMessenger {
  return new ApiGatewayConnectionMessenger(connectionsClient(requireEnv(ENV.realtimeEndpoint)));
}

/** Everything the realtime use cases share (grants: `table` read and write, `realtimeConnections`). */
export function realtimeDependencies(): RealtimeDependencies {
  return { backend, connections: connectionStore(), messenger: connectionMessenger(), clock: systemClock };
}

/**
 * Checks a token sent in an `auth` frame exactly as the HTTP API does for optional-auth routes
 * (signature, issuer, client id, `token_use = access`, expiry) (grant: `userPoolClient`).
 */
export function tokenVerifier(): TokenVerifier {
  const verifier = createAccessTokenVerifier({ userPoolId: requireEnv(ENV.userPoolId), clientId: requireEnv(ENV.userPoolClientId) });
  return async (token) => {
    const claims = await verifier.verify(token);
    return { ...callerFromClaims(claims), expiresAt: Number(claims.exp) };
  };
}
