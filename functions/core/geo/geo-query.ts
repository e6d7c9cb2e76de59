/**
 * `near` and `within` queries on a collection's geo index (docs/api/geolocation.md).
 *
 * A query reads the few geohash cells that cover the circle's (or the box's) bounding box — one
 * Query per cell, at the finest precision that needs at most `TARGET_CELLS` of them — then keeps
 * the exact matches (haversine distance ≤ radius, or inside the box) and orders them: by
 * (distance, id) for `near`, by (geohash, id) for `within`. DynamoDB cannot order by distance, so
 * every page reads the same cells again and resumes after the cursor's (distance, id) or sort key:
 * a page costs exactly the covering's Query calls (more only for a cell holding over 1 MB), never
 * repeats or skips a match, and is never empty while more exist.
 */
import { NOTHING_READABLE, queryReadDecision, type Caller } from '../config/access-rules.js';
import type { ResolvedCollection, ResolvedGeoIndex } from '../config/define-backend.js';
import { geoIndexPrefix, isExpired, type DocumentItem } from '../documents/document-item.js';
import { UnsupportedQueryError } from '../errors.js';
import type { CursorPosition } from '../pagination/cursor.js';
import { indexSlot } from '../table-design.js';
import { parseOrThrow } from '../validation.js';
import * as z from '../zod.js';
import { latitudeSchema as latitude, longitudeSchema as longitude } from './point-schema.js';
import { geoCells, isPoint, type GeoCell } from './geo-index.js';
import { coveringCells, queryPrecision, type Box } from './geohash.js';
import { boxContains, boxLongestSideMeters, circleBox, distanceMeters, type Point } from './geometry.js';

export const MAX_NEAR_RADIUS_METERS = 50_000;
export const MAX_BOX_SIDE_METERS = 100_000;

export const nearSchema = z.strictObject({
  lat: latitude,
  lng: longitude,
  radiusMeters: z.number().check(z.gte(1, 'radiusMeters is 1–50,000'), z.lte(MAX_NEAR_RADIUS_METERS, 'radiusMeters is 1–50,000')),
});
export const boxSchema = z.strictObject({ south: latitude, west: longitude, north: latitude, east: longitude }).check(
  z.refine((box) => box.south <= box.north, { message: 'south must not be north of north' }),
  z.refine((box) => boxLongestSideMeters(box) <= MAX_BOX_SIDE_METERS, {
    message: `the box must be at most ${MAX_BOX_SIDE_METERS / 1000} km on its longest side (west > east crosses the antimeridian)`,
  }),
);
/** The shapes a `where` entry may take on a point field (checked in full by `planGeoQuery`). */
export const geoConditionSchema = z.union([z.strictObject({ near: z.unknown() }), z.strictObject({ within: z.unknown() })]);

export type GeoShape = { kind: 'near'; center: Point; radiusMeters: number } | { kind: 'within'; box: Box };

export type GeoQueryPlan = {
  /** The index's generic GSI slot (`ix<slot>`). */
  slot: number;
  sortAttribute: string;
  cells: GeoCell[];
  field: string;
  shape: GeoShape;
  /** Only this owner's documents (the read rule lets the caller read only their own). */
  owner?: string;
  ttl: boolean;
};

/** Whether the where clause holds a geo condition (then `planGeoQuery` serves it). */
export function isGeoWhere(where: Record<string, unknown> | undefined): boolean {
  return Object.values(where ?? {}).some((value) => geoConditionSchema.safeParse(value).success);
}

export function planGeoQuery(
  collection: ResolvedCollection,
  input: { where?: Record<string, unknown>; orderBy?: string; order?: string },
  caller: Caller | undefined,
  adminGroup: string,
): GeoQueryPlan | typeof NOTHING_READABLE {
  const decision = queryReadDecision(collection.access.read, caller, adminGroup);
  if (decision === NOTHING_READABLE) return decision;
  const where = Object.entries(input.where ?? {});
  const geo = where.filter(([, value]) => geoConditionSchema.safeParse(value).success);
  if (geo.length > 1) throw unsupported(collection, 'more than one geo condition');
  const [field, condition] = geo[0]!;
  if (input.orderBy !== undefined || input.order !== undefined) {
    throw unsupported(collection, 'orderBy or order with a geo condition (near is nearest first, within in a fixed cell order)');
  }
  const others = where.filter(([name]) => name !== field);
  const index = chooseIndex(collection, field, others);
  const shape = parseShape(field, condition as Record<string, unknown>);
  const box = shape.kind === 'near' ? circleBox(shape.center, shape.radiusMeters) : shape.box;
  const partitionValue = index.partition === undefined ? undefined : others[0]![1];
  const prefix = geoIndexPrefix(collection.name, index, partitionValue);
  const slot = indexSlot(index.slot);
  const ownerAlone = collection.access.read.length === 1 && collection.access.read[0] === 'owner';
  const owner = decision === 'owner-only' || (ownerAlone && caller) ? caller!.userId : undefined;
  return {
    slot: index.slot,
    sortAttribute: slot.sort,
    cells: geoCells(prefix, coveringCells(box, queryPrecision(box))),
    field,
    shape,
    ...(owner !== undefined ? { owner } : {}),
    ttl: collection.ttl !== undefined,
  };
}

export type GeoMatch = { item: DocumentItem; distanceMeters?: number };
export type GeoPage = { matches: GeoMatch[]; last?: CursorPosition };

/**
 * One page of matches from the items of the plan's cells: exact filter, order, resume after
 * `after`, at most `limit`; `last` is set exactly when more matches follow.
 */
export function geoPage(plan: GeoQueryPlan, items: readonly DocumentItem[], page: { limit: number; after?: CursorPosition; now: Date }): GeoPage {
  const matches: (GeoMatch & { key: string | number })[] = [];
  for (const item of items) {
    if (plan.ttl && isExpired(item, page.now)) continue;
    if (plan.owner !== undefined && item.owner !== plan.owner) continue;
    const at = item.data[plan.field];
    if (!isPoint(at)) continue;
    if (plan.shape.kind === 'near') {
      const distance = distanceMeters(plan.shape.center, at);
      if (distance <= plan.shape.radiusMeters) matches.push({ item, distanceMeters: distance, key: distance });
    } else if (boxContains(plan.shape.box, at)) {
      matches.push({ item, key: String(item[plan.sortAttribute]) });
    }
  }
  const compare = (a: { key: string | number; id: string }, b: { key: string | number; id: string }) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  const after = page.after ? { key: page.after.k!, id: String(page.after.id) } : undefined;
  const ordered = matches
    .map((match) => ({ ...match, id: match.item.id }))
    .filter((match) => !after || compare(match, after) > 0)
    .sort(compare);
  const returned = ordered.slice(0, page.limit);
  const last = returned.at(-1);
  return {
    matches: returned.map(({ item, distanceMeters }) => (distanceMeters === undefined ? { item } : { item, distanceMeters })),
    ...(ordered.length > page.limit && last ? { last: { k: last.key, id: last.id } } : {}),
  };
}

function chooseIndex(collection: ResolvedCollection, field: string, others: [string, unknown][]): ResolvedGeoIndex {
  const candidates = collection.geoIndexes.filter((index) => index.field === field);
  if (candidates.length === 0) throw unsupported(collection, `a geo condition on ${field}`);
  const scalar = (value: unknown) => typeof value === 'string' || typeof value === 'number';
  const fits = candidates.find((index) =>
    index.partition === undefined ? others.length === 0 : others.length === 1 && others[0]![0] === index.partition && scalar(others[0]![1]),
  );
  if (!fits) {
    const what = others.length ? `${field} with ${others.map(([name]) => name).join(', ')}` : `${field} without a partition equality`;
    throw unsupported(collection, `a geo condition on ${what}`);
  }
  return fits;
}

function parseShape(field: string, condition: Record<string, unknown>): GeoShape {
  if ('near' in condition) {
    const near = parseOrThrow(nearSchema, condition.near, `where.${field}.near`);
    return { kind: 'near', center: { lat: near.lat, lng: near.lng }, radiusMeters: near.radiusMeters };
  }
  return { kind: 'within', box: parseOrThrow(boxSchema, condition.within, `where.${field}.within`) };
}

function unsupported(collection: ResolvedCollection, what: string): UnsupportedQueryError {
  const indexes = collection.geoIndexes.map((index) => `${index.name} (geo ${index.field}${index.partition ? `, partition ${index.partition} (equality required)` : ''})`);
  return new UnsupportedQueryError(
    `No geo index of ${collection.name} serves ${what}. ` +
      (indexes.length ? `Geo indexes: ${indexes.join('; ')}.` : `${collection.name} declares no geo indexes.`),
  );
}
