/**
 * The auth feature's wiring: its parts, each built on call over the environment's shared SDK
 * clients, from the environment its grant provides (the pattern: functions/data/data-wiring.ts).
 *
 * @example
 * const deps = { directory: userDirectory(), profiles: profileStore(), clock: systemClock };
 */
import backend from '../shared/backend-settings.js';
import { CognitoAuthFlows } from '../adapters/cognito-auth-flows.js';
import { CognitoUserDirectory } from '../adapters/cognito-user-directory.js';
import { cognitoClient, documentClient } from '../adapters/aws-clients.js';
import { tableCursors } from '../adapters/dynamodb-cursor-key.js';
import { DynamoDbDocumentStore } from '../adapters/dynamodb-document-store.js';
import { DynamoDbProfileStore } from '../adapters/dynamodb-profile-store.js';
import type { OwnedData } from '../core/auth/ports.js';
import type { StoredObjects } from '../core/storage/storage-ports.js';
import type { AdminDeps, ListUsersDeps } from '../core/auth/user-admin.js';
import { systemClock } from '../core/clock.js';
import { deleteUserDocuments, listUserDocuments } from '../core/documents/user-documents.js';
import { deleteUserFiles, listUserFiles } from '../core/storage/user-files.js';
import { ownedLocation } from '../geo/geo-wiring.js';
import { ownedPushData } from '../push/push-wiring.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';
import { fileRecords } from '../storage/storage-wiring.js';

/** Cognito's public API for the app client (grant: `userPoolClient`). */
export function authFlows(): CognitoAuthFlows {
  return new CognitoAuthFlows(cognitoClient(), requireEnv(ENV.userPoolClientId));
}

/** Cognito's admin API (grant: `userPool(...)` with the actions the handler calls). */
export function userDirectory(): CognitoUserDirectory {
  return new CognitoUserDirectory(cognitoClient(), requireEnv(ENV.userPoolId));
}

/** Profile records in the single table (grant: `tableWrite`). */
export function profileStore(): DynamoDbProfileStore {
  return new DynamoDbProfileStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

/** The admin routes: the user directory and the admin group of lambase.config.ts (`auth.adminGroup`). */
export function adminDeps(): AdminDeps {
  return { directory: userDirectory(), adminGroup: backend.auth.adminGroup };
}

/** Listing users also signs its page cursors (grant: `cursorKey`). */
export function listUsersDeps(): ListUsersDeps {
  return { ...adminDeps(), cursors: tableCursors(documentClient(dynamoDbMeter), requireEnv(ENV.tableName)) };
}

/**
 * Everything a user owns beyond the profile record and the Cognito user: what `GET /me/export`
 * lists and `DELETE /me` erases, in this order, before the profile and then the user: documents,
 * files, then push (devices with their SNS endpoints and subscriptions, topic follows, the inbox),
 * then the last location.
 *
 * Each kind builds its parts on first use. Erasing files needs the bucket: `DELETE /me` passes
 * `storedObjects` (storage-wiring); the export function does not, so it needs no bucket grant and
 * its bundle carries no S3 client.
 */
export function ownedData(erasers: { storedObjects?: () => StoredObjects } = {}): OwnedData[] {
  // The store alone, not data-wiring's documentStore(): that module also wires the document
  // service, whose query and geo schemas would load with it (zod in a function that parses nothing).
  const documents = once(() => new DynamoDbDocumentStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName)));
  const records = once(fileRecords);
  const objects = once(() => {
    if (!erasers.storedObjects) throw new Error('ownedData() was built without storedObjects: it can export, not erase.');
    return erasers.storedObjects();
  });
  return [
    {
      kind: 'documents',
      exportFor: (userId) => listUserDocuments(documents(), backend, userId, systemClock),
      eraseFor: async (userId) => void (await deleteUserDocuments(documents(), backend, userId)),
    },
    {
      kind: 'files',
      exportFor: (userId) => listUserFiles({ records: records(), clock: systemClock }, userId),
      eraseFor: async (userId) => void (await deleteUserFiles({ records: records(), objects: objects() }, userId)),
    },
    ...ownedPushData(),
    ownedLocation(),
  ];
}

function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
