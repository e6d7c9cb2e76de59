/**
 * The geolocation feature's wiring (the pattern: functions/data/data-wiring.ts): the location and
 * fence-cell store over the table, and the location use cases' dependencies.
 */
import { randomBytes } from 'node:crypto';
import backend from '../shared/backend-settings.js';
import { documentClient } from '../adapters/aws-clients.js';
import { DynamoDbDocumentStore } from '../adapters/dynamodb-document-store.js';
import { DynamoDbLocationStore } from '../adapters/dynamodb-location-store.js';
import type { OwnedData } from '../core/auth/ports.js';
import { systemClock } from '../core/clock.js';
import { toDocument } from '../core/documents/document-item.js';
import { exportLocation, forgetLocation, type LocationDeps } from '../core/geo/user-location.js';
import { dynamoDbMeter } from '../shared/dynamodb-usage.js';
import { ENV, requireEnv } from '../shared/env.js';

/** Locations, fence cells and geofence events in the single table (grant: `table`). */
export function locationStore(): DynamoDbLocationStore {
  return new DynamoDbLocationStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
}

export function locationDeps(store: DynamoDbLocationStore = locationStore()): LocationDeps {
  const documents = new DynamoDbDocumentStore(documentClient(dynamoDbMeter), requireEnv(ENV.tableName));
  return {
    backend,
    locations: store,
    fences: store,
    fenceDocument: async (collection, id) => {
      const item = await documents.get(collection, id);
      return item ? toDocument(item) : undefined;
    },
    clock: systemClock,
    newId: () => randomBytes(16).toString('base64url'),
  };
}

/** The caller's location as owned data: in `GET /me/export` (`location`), erased by `DELETE /me`. */
export function ownedLocation(): OwnedData {
  return {
    kind: 'location',
    exportFor: (userId) => exportLocation({ locations: locationStore() }, userId),
    eraseFor: (userId) => forgetLocation({ locations: locationStore() }, userId),
  };
}
