/**
 * Builds the auth adapters from the function's environment. Each handler calls what it needs once,
 * at module scope, so a function only reads the variables its own grants provide.
 */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CognitoAuthFlows } from '../adapters/cognito-auth-flows.js';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory.js';
import { createCognitoClient, createDocumentClient } from '../adapters/aws-clients.js';
import { cachedCursorKey } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbProfileStore } from '../adapters/dynamodb-profile-store.js';
import type { PageCursors } from '../core/auth/ports.js';
import { CursorCodec } from '../core/pagination/cursor.js';
import { ENV, requireEnv } from '../shared/env.js';

/** Cognito's public API for the app client (grant: `userPoolClient`). */
export function authFlows(client: CognitoIdentityProviderClient = createCognitoClient()): CognitoAuthFlows {
  return new CognitoAuthFlows(client, requireEnv(ENV.userPoolClientId));
}

/** Cognito's admin API (grant: `userPool(...)` with the actions the handler calls). */
export function userDirectory(client: CognitoIdentityProviderClient = createCognitoClient()): CognitoUserDirectory {
  return new CognitoUserDirectory(client, requireEnv(ENV.userPoolId));
}

/** Profile records in the single table (grant: `tableWrite`). */
export function profileStore(): DynamoDbProfileStore {
  return new DynamoDbProfileStore(createDocumentClient(), requireEnv(ENV.tableName));
}

/** Page cursors signed with the deployment's cursor key, read from the table on first use (grant: `cursorKey`). */
export function pageCursors(): () => Promise<PageCursors> {
  const cursorKey = cachedCursorKey(createDocumentClient(), requireEnv(ENV.tableName));
  return async () => new CursorCodec(await cursorKey());
}
