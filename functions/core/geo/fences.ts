/**
 * Geofences (docs/api/geolocation.md): a geofence collection's documents are circles (a point
 * and a radius) or polygons. Each fence is also written as one small "fence cell" item per
 * geohash cell (`FENCE_PRECISION` characters) its shape touches, in the same transaction as the
 * document, so a location report finds the fences that may hold a point with one Query per
 * geofence collection (`pk = _fence#<collection>#<the point's cell>`) and decides exactly.
 */
import type { CollectionSettings, ResolvedGeofences } from '../config/define-backend.js';
import type { DocumentItem } from '../documents/document-item.js';
import { ValidationError } from '../errors.js';
import { TABLE_KEY } from '../table-design.js';
import { isPoint } from './geo-index.js';
import { coveringCells, encodeGeohash } from './geohash.js';
import { boxLongestSideMeters, circleBox, distanceMeters, polygonBox, polygonContains, type Point } from './geometry.js';

/** Fence cells are ≈ 39 km × 20 km at the equator (4 geohash characters). */
export const FENCE_PRECISION = 4;
/**
 * A fence may touch at most this many cells: moving a fence deletes its old cells and writes its
 * new ones with the document in one TransactWriteItems (≤ 100 items): 49 + 49 + 1. A 50 km circle
 * fits up to about 64° of latitude (7 × 7 cells).
 */
export const MAX_FENCE_CELLS = 49;
/** A polygon fence's bounding box may be at most this long on its longest side. */
export const MAX_POLYGON_SIDE_METERS = 100_000;

export type FenceShape = { kind: 'circle'; center: Point; radiusMeters: number } | { kind: 'polygon'; vertices: [number, number][] };

/** What a fence cell item holds: enough to decide containment without reading the document. */
export type FenceCell = { collection: string; id: string; owner: string; shape: FenceShape };

export type TableKey = { [TABLE_KEY.partition]: string; [TABLE_KEY.sort]: string };

export function fenceCellPartition(collection: string, cell: string): string {
  return `_fence#${collection}#${cell}`;
}

/** The cell of `point` that fence cells are looked up by. */
export function fenceCellOf(point: Point): string {
  return encodeGeohash(point.lat, point.lng, FENCE_PRECISION);
}

export function fenceShapeOf(fences: ResolvedGeofences, data: Record<string, unknown>): FenceShape | undefined {
  if (fences.kind === 'circle') {
    const center = data[fences.center];
    const radius = data[fences.radius];
    return isPoint(center) && typeof radius === 'number' ? { kind: 'circle', center, radiusMeters: radius } : undefined;
  }
  const vertices = data[fences.polygon];
  return Array.isArray(vertices) ? { kind: 'polygon', vertices: vertices as [number, number][] } : undefined;
}

export function fenceContains(shape: FenceShape, point: Point): boolean {
  return shape.kind === 'circle' ? distanceMeters(shape.center, point) <= shape.radiusMeters : polygonContains(shape.vertices, point);
}

/** The cells a fence touches; a fence too large for one transaction is refused naming its field. */
export function fenceCells(fences: ResolvedGeofences, shape: FenceShape): string[] {
  const field = fences.kind === 'circle' ? fences.radius : fences.polygon;
  let box;
  if (shape.kind === 'circle') {
    box = circleBox(shape.center, shape.radiusMeters);
  } else {
    box = polygonBox(shape.vertices);
    if (boxLongestSideMeters(box) > MAX_POLYGON_SIDE_METERS) {
      throw tooLarge(field, `the polygon must fit in a box of at most ${MAX_POLYGON_SIDE_METERS / 1000} km on its longest side`);
    }
  }
  const cells = coveringCells(box, FENCE_PRECISION);
  if (cells.length > MAX_FENCE_CELLS) {
    throw tooLarge(field, `the fence spans ${cells.length} cells of ${FENCE_PRECISION} geohash characters at this latitude; at most ${MAX_FENCE_CELLS}: make it smaller`);
  }
  return cells;
}

/** The fence cell items of a stored fence document (none when it has no shape). */
export function fenceCellItems(collection: CollectionSettings, item: DocumentItem): Record<string, unknown>[] {
  if (!collection.geofences) return [];
  const shape = fenceShapeOf(collection.geofences, item.data);
  if (!shape) return [];
  const fence: FenceCell = { collection: collection.name, id: item.id, owner: item.owner, shape };
  return fenceCells(collection.geofences, shape).map((cell) => ({
    [TABLE_KEY.partition]: fenceCellPartition(collection.name, cell),
    [TABLE_KEY.sort]: item.id,
    entity: 'fenceCell',
    fence,
  }));
}

export function keyOf(item: Record<string, unknown>): TableKey {
  return { [TABLE_KEY.partition]: String(item[TABLE_KEY.partition]), [TABLE_KEY.sort]: String(item[TABLE_KEY.sort]) };
}

/**
 * The writes that move a fence from `before` to `after` (either may be absent): put every new
 * cell (its shape may have changed), delete the old cells it left.
 */
export function fenceCellChanges(
  collection: CollectionSettings,
  before: DocumentItem | undefined,
  after: DocumentItem | undefined,
): { puts: Record<string, unknown>[]; deletes: TableKey[] } {
  if (!collection.geofences) return { puts: [], deletes: [] };
  const puts = after ? fenceCellItems(collection, after) : [];
  const kept = new Set(puts.map((put) => String(put[TABLE_KEY.partition])));
  const deletes = (before ? fenceCellItemsOrNone(collection, before) : [])
    .filter((old) => !kept.has(String(old[TABLE_KEY.partition])))
    .map(keyOf);
  return { puts, deletes };
}

/** The cells a stored fence was written with (it passed the size check when it was written). */
function fenceCellItemsOrNone(collection: CollectionSettings, item: DocumentItem): Record<string, unknown>[] {
  try {
    return fenceCellItems(collection, item);
  } catch {
    return [];
  }
}

function tooLarge(field: string, message: string): ValidationError {
  return new ValidationError(`${field}: ${message}.`, { details: [{ path: field, message }] });
}
