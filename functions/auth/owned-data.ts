/**
 * Everything a user owns beyond the profile record and the Cognito user: what `GET /me/export`
 * lists and `DELETE /me` erases, in this order, before the profile and then the user.
 *
 * Each kind builds its adapters on first use, so the export function (table reads only) never
 * needs the bucket that erasing files does. Devices and the inbox join here with the push feature.
 */
import backend from '../../lambase.config.js';
import { createDocumentClient } from '../adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../adapters/dynamodb-document-store.js';
import type { OwnedData } from '../core/auth/ports.js';
import { deleteUserDocuments, listUserDocuments } from '../core/documents/user-documents.js';
import { deleteUserFiles, listUserFiles } from '../core/storage/user-files.js';
import { ENV, requireEnv } from '../shared/env.js';
import { createFileObjects, createFileRecords } from '../storage/storage-dependencies.js';

const once = <T>(make: () => T): (() => T) => {
  let value: T | undefined;
  return () => (value ??= make());
};

export function ownedData(): OwnedData[] {
  const documents = once(() => new DynamoDbDocumentStore(createDocumentClient(), requireEnv(ENV.tableName)));
  const records = once(createFileRecords);
  const objects = once(createFileObjects);
  return [
    {
      kind: 'documents',
      exportFor: (userId) => listUserDocuments(documents(), backend, userId, new Date()),
      eraseFor: async (userId) => void (await deleteUserDocuments(documents(), backend, userId)),
    },
    {
      kind: 'files',
      exportFor: (userId) => listUserFiles({ records: records() }, userId),
      eraseFor: async (userId) => void (await deleteUserFiles({ records: records(), objects: objects() }, userId)),
    },
  ];
}
