/**
 * How a point is kept in a geo index (ARCHITECTURE.md, "Geo indexes"): in a generic GSI slot,
 * partition `<prefix>#<coarse cell>` and sort `<geohash>#<id>`. The coarse cell
 * (`PARTITION_PRECISION` characters, ≈ 156 km) spreads a busy index over many partitions and
 * keeps every query to a few; `begins_with` on the sort key narrows a partition to a finer cell.
 */
import { encodeGeohash, PARTITION_PRECISION } from './geohash.js';
import type { Point } from './geometry.js';

/** A cell to read: the GSI partition it lives in and the geohash prefix within it. */
export type GeoCell = { partition: string; prefix: string };

export function geoPartitionKey(prefix: string, geohash: string): string {
  return `${prefix}#${geohash.slice(0, PARTITION_PRECISION)}`;
}

/** The slot attributes' values for a point stored under `prefix` with `id`. */
export function geoKeys(prefix: string, point: Point, id: string): { partition: string; sort: string } {
  const geohash = encodeGeohash(point.lat, point.lng);
  return { partition: geoPartitionKey(prefix, geohash), sort: `${geohash}#${id}` };
}

/** The cells to read for `cells` (geohashes of at least `PARTITION_PRECISION` characters) under `prefix`. */
export function geoCells(prefix: string, cells: readonly string[]): GeoCell[] {
  return cells.map((cell) => ({ partition: geoPartitionKey(prefix, cell), prefix: cell }));
}

/** Whether `value` is a point as `point()` validates it (stored data is trusted, this guards old items). */
export function isPoint(value: unknown): value is Point {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Point).lat === 'number' &&
    typeof (value as Point).lng === 'number'
  );
}
