/**
 * The caller's last location (`PUT/GET/DELETE /me/location`), the geofences it is inside, and the
 * users near a point (push `to: { near }`).
 *
 * A report reads the previous location (strongly consistent), finds the fences holding the new
 * point (one Query per geofence collection, exact containment), and writes the new location
 * conditional on the version it read — together with one geofence event item when fences were
 * entered or exited, in the same transaction. Two concurrent reports cannot both emit the same
 * transition: the loser's condition fails and it starts again from the winner's state.
 */
import { mayAccess, type Caller } from '../config/access-rules.js';
import type { BackendSettings } from '../config/define-backend.js';
import type { Clock } from '../clock.js';
import type { Document } from '../documents/document-item.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { fenceCellOf, fenceContains, type FenceCell } from './fences.js';
import { geoCells, type GeoCell } from './geo-index.js';
import { coveringCells, queryPrecision } from './geohash.js';
import { circleBox, distanceMeters, type Point } from './geometry.js';

/** The key prefix of the users' locations in their geo index slot. */
export const LOCATIONS_PREFIX = '_locations';
/** The GSI slot locations share with the collections' first indexes (their keys start with `_`). */
export const LOCATIONS_SLOT = 1;
/** A push `to: { near }` reaches only users who reported their location this recently. */
export const NEAR_RECENCY_MS = 24 * 60 * 60 * 1000;
/** How long a geofence event item stays in the table for the dispatcher (DynamoDB TTL). */
export const GEOFENCE_EVENT_TTL_SECONDS = 24 * 60 * 60;
const REPORT_ATTEMPTS = 6;
/** Above this, the event item carries fence ids without their documents (an item holds 400 KB). */
export const MAX_EVENT_RECORD_BYTES = 300 * 1024;

export type ReportedPoint = Point & { accuracyMeters?: number };
export type StoredLocation = {
  userId: string;
  location: ReportedPoint;
  updatedAt: string;
  version: number;
  /** The fences (`<collection>#<id>`) the location is inside. */
  fences: string[];
};

/** `fence`: the document when the report was made (null: deleted since, or left out to fit). */
export type GeofenceTransition = { type: 'geofenceEntered' | 'geofenceExited'; collection: string; fenceId: string; fence?: Document | null };
/** The event item: the functions dispatcher turns each transition into a `geofenceEntered` / `geofenceExited` event. */
export type GeofenceEventRecord = {
  eventId: string;
  userId: string;
  point: Point;
  transitions: GeofenceTransition[];
  createdAt: string;
  ttl: number;
  /** The fence documents were left out to keep the item within DynamoDB's size limit. */
  truncated?: true;
};

export type LocationStore = {
  get(userId: string): Promise<StoredLocation | undefined>;
  /** Writes `next` if the stored version is still `expectedVersion` (undefined: none stored), with `event` in the same transaction. */
  save(next: StoredLocation, expectedVersion: number | undefined, event: GeofenceEventRecord | undefined): Promise<'ok' | 'version-mismatch'>;
  remove(userId: string): Promise<void>;
  /** Every location stored in these cells of the locations' geo index. */
  readCells(cells: readonly GeoCell[]): Promise<StoredLocation[]>;
};

export type FenceCellReader = {
  /** The fence cells of `collection` stored under `cell` (one Query). */
  fencesAt(collection: string, cell: string): Promise<FenceCell[]>;
};

export type LocationDeps = {
  backend: Pick<BackendSettings, 'collections' | 'auth'>;
  locations: LocationStore;
  fences: FenceCellReader;
  /** A fence document, for the events (only read when a report enters or exits fences). */
  fenceDocument: (collection: string, id: string) => Promise<Document | undefined>;
  clock: Clock;
  newId: () => string;
};

export type LocationView = { location: ReportedPoint; updatedAt: string };
export type LocationReport = LocationView & { entered: string[]; exited: string[]; inside: string[] };

export async function reportLocation(deps: LocationDeps, caller: Caller, point: ReportedPoint): Promise<LocationReport> {
  for (let attempt = 1; attempt <= REPORT_ATTEMPTS; attempt++) {
    const previous = await deps.locations.get(caller.userId);
    const inside = await fencesHolding(deps, point);
    const before = new Set(previous?.fences ?? []);
    const after = new Map(inside.map((fence) => [`${fence.collection}#${fence.id}`, fence]));
    const now = deps.clock.now();
    const transitions: GeofenceTransition[] = [
      ...[...after].filter(([key]) => !before.has(key)).map(([, fence]) => transition('geofenceEntered', fence.collection, fence.id)),
      ...[...before].filter((key) => !after.has(key)).map((key) => transition('geofenceExited', ...splitFenceKey(key))),
    ];
    const next: StoredLocation = {
      userId: caller.userId,
      location: point,
      updatedAt: now.toISOString(),
      version: (previous?.version ?? 0) + 1,
      fences: [...after.keys()],
    };
    const event = transitions.length
      ? withFenceDocuments(deps, {
          eventId: deps.newId(),
          userId: caller.userId,
          point: { lat: point.lat, lng: point.lng },
          transitions,
          createdAt: next.updatedAt,
          ttl: Math.floor(now.getTime() / 1000) + GEOFENCE_EVENT_TTL_SECONDS,
        })
      : undefined;
    if ((await deps.locations.save(next, previous?.version, await event)) === 'ok') {
      const visible = (key: string) => mayRead(deps, caller, key, after.get(key));
      const ids = (type: GeofenceTransition['type']) =>
        transitions.filter((each) => each.type === type && visible(`${each.collection}#${each.fenceId}`)).map((each) => each.fenceId);
      return {
        location: point,
        updatedAt: next.updatedAt,
        entered: ids('geofenceEntered'),
        exited: ids('geofenceExited'),
        inside: [...after.values()].filter((fence) => visible(`${fence.collection}#${fence.id}`)).map((fence) => fence.id),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
  }
  throw new ConflictError('Your location is being reported by several requests at once; retry.');
}

export async function getLocation(deps: Pick<LocationDeps, 'locations'>, caller: Caller): Promise<LocationView> {
  const stored = await deps.locations.get(caller.userId);
  if (!stored) throw new NotFoundError('No location reported.');
  return viewOf(stored);
}

/** Forgets the location: the fences it was inside are left without events. */
export async function forgetLocation(deps: Pick<LocationDeps, 'locations'>, userId: string): Promise<void> {
  await deps.locations.remove(userId);
}

/** `GET /me/export`'s `location`: the same view, or null. */
export async function exportLocation(deps: Pick<LocationDeps, 'locations'>, userId: string): Promise<LocationView | null> {
  const stored = await deps.locations.get(userId);
  return stored ? viewOf(stored) : null;
}

/**
 * The users whose last location lies within `radiusMeters` of `center` and was reported in the
 * last 24 h: the locations' geo index cells covering the circle, never every user.
 */
export async function usersNear(
  deps: Pick<LocationDeps, 'locations' | 'clock'>,
  near: Point & { radiusMeters: number },
): Promise<string[]> {
  const box = circleBox(near, near.radiusMeters);
  const stored = await deps.locations.readCells(geoCells(LOCATIONS_PREFIX, coveringCells(box, queryPrecision(box))));
  const since = deps.clock.now().getTime() - NEAR_RECENCY_MS;
  return stored
    .filter((each) => Date.parse(each.updatedAt) >= since && distanceMeters(near, each.location) <= near.radiusMeters)
    .map((each) => each.userId);
}

async function fencesHolding(deps: LocationDeps, point: Point): Promise<FenceCell[]> {
  const collections = Object.values(deps.backend.collections).filter((collection) => collection.geofences);
  const cell = fenceCellOf(point);
  const candidates = await Promise.all(collections.map((collection) => deps.fences.fencesAt(collection.name, cell)));
  return candidates.flat().filter((fence) => fenceContains(fence.shape, point));
}

/** Fences the caller may read are named in the answer; events are emitted for every fence. */
function mayRead(deps: LocationDeps, caller: Caller, key: string, fence: FenceCell | undefined): boolean {
  const [collectionName] = splitFenceKey(key);
  const collection = deps.backend.collections[collectionName];
  if (!collection) return false;
  // A fence left behind may be gone; its id is only shown where the read rule needs no owner.
  return mayAccess(collection.access.read, caller, deps.backend.auth.adminGroup, fence?.owner ?? '');
}

/** The record with each transition's fence document (one GetItem per fence, in parallel), if they fit. */
async function withFenceDocuments(deps: LocationDeps, record: GeofenceEventRecord): Promise<GeofenceEventRecord> {
  const transitions = await Promise.all(
    record.transitions.map(async (each) => ({ ...each, fence: (await deps.fenceDocument(each.collection, each.fenceId)) ?? null })),
  );
  const whole = { ...record, transitions };
  if (Buffer.byteLength(JSON.stringify(whole)) <= MAX_EVENT_RECORD_BYTES) return whole;
  return { ...record, transitions: record.transitions.map((each) => ({ ...each, fence: null })), truncated: true };
}

function transition(type: GeofenceTransition['type'], collection: string, fenceId: string): GeofenceTransition {
  return { type, collection, fenceId };
}

function splitFenceKey(key: string): [string, string] {
  const at = key.indexOf('#');
  return [key.slice(0, at), key.slice(at + 1)];
}

function viewOf(stored: StoredLocation): LocationView {
  return { location: stored.location, updatedAt: stored.updatedAt };
}
