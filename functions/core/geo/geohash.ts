/**
 * Geohash cells (the public base-32 scheme: longitude and latitude bits interleaved, longitude
 * first) and the cells that cover a latitude/longitude box. A point's cell at precision q is the
 * prefix of its cell at any finer precision, so one stored geohash serves every precision through
 * `begins_with`, and the coarse cell (`PARTITION_PRECISION` characters) is a GSI partition.
 */

const BASE32 = '0123456789bcdefghjkmnpqrstuvwxyz';

/** Characters of the geohash stored with each point: about 3.7 cm × 1.9 cm, finer than any query. */
export const STORED_PRECISION = 12;
/** Characters of the cell a point's GSI partition is named after: 1.40625° × 1.40625° (≈ 156 km at the equator). */
export const PARTITION_PRECISION = 3;
/** The finest cells a query uses (≈ 1.2 m × 0.6 m): a 1 m radius still needs only a few. */
export const MAX_QUERY_PRECISION = 10;
/** A query picks the finest precision whose covering has at most this many cells. */
export const TARGET_CELLS = 9;

export type Box = { south: number; west: number; north: number; east: number };

const latBits = (precision: number) => Math.floor((precision * 5) / 2);
const lngBits = (precision: number) => Math.ceil((precision * 5) / 2);

/** The row of the cell holding `lat` at `precision` (rows count from the south pole). */
function rowOf(lat: number, precision: number): number {
  const rows = 2 ** latBits(precision);
  return Math.min(rows - 1, Math.max(0, Math.floor(((lat + 90) / 180) * rows)));
}

function columnOf(lng: number, precision: number): number {
  const columns = 2 ** lngBits(precision);
  return Math.min(columns - 1, Math.max(0, Math.floor(((lng + 180) / 360) * columns)));
}

/** The geohash of the cell at (row, column). */
function cellName(row: number, column: number, precision: number): string {
  const rowBits = latBits(precision);
  const columnBits = lngBits(precision);
  let name = '';
  let chunk = 0;
  let lngIndex = 0;
  let latIndex = 0;
  for (let bit = 0; bit < precision * 5; bit++) {
    const value =
      bit % 2 === 0
        ? Math.floor(column / 2 ** (columnBits - 1 - lngIndex++)) % 2
        : Math.floor(row / 2 ** (rowBits - 1 - latIndex++)) % 2;
    chunk = chunk * 2 + value;
    if (bit % 5 === 4) {
      name += BASE32[chunk];
      chunk = 0;
    }
  }
  return name;
}

/** The geohash of the cell holding the point. Points on a cell edge belong to the cell north/east of it. */
export function encodeGeohash(lat: number, lng: number, precision = STORED_PRECISION): string {
  return cellName(rowOf(lat, precision), columnOf(lng, precision), precision);
}

/** The box a cell covers (for tests and docs). */
export function cellBox(geohash: string): Box {
  let south = -90;
  let north = 90;
  let west = -180;
  let east = 180;
  let bit = 0;
  for (const char of geohash) {
    const value = BASE32.indexOf(char);
    for (let shift = 4; shift >= 0; shift--, bit++) {
      const on = (value >> shift) & 1;
      if (bit % 2 === 0) {
        const mid = (west + east) / 2;
        if (on) west = mid;
        else east = mid;
      } else {
        const mid = (south + north) / 2;
        if (on) south = mid;
        else north = mid;
      }
    }
  }
  return { south, west, north, east };
}

/**
 * The cells of `precision` that together contain every point of the box, edges included
 * (`west > east` crosses the antimeridian), in geohash order.
 */
export function coveringCells(box: Box, precision: number): string[] {
  const cells: string[] = [];
  for (let row = rowOf(box.south, precision); row <= rowOf(box.north, precision); row++) {
    for (const column of columnsOf(box, precision)) cells.push(cellName(row, column, precision));
  }
  return cells.sort();
}

/** How many cells `coveringCells` would return, without naming them. */
export function coveringCount(box: Box, precision: number): number {
  return (rowOf(box.north, precision) - rowOf(box.south, precision) + 1) * columnCount(box, precision);
}

function columnCount(box: Box, precision: number): number {
  const first = columnOf(box.west, precision);
  const last = columnOf(box.east, precision);
  if (box.west <= box.east) return last - first + 1;
  const columns = 2 ** lngBits(precision);
  return first <= last ? columns : columns - first + last + 1;
}

function columnsOf(box: Box, precision: number): number[] {
  const first = columnOf(box.west, precision);
  const last = columnOf(box.east, precision);
  const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  if (box.west <= box.east) return range(first, last);
  const columns = 2 ** lngBits(precision);
  // Across the antimeridian: west … 180, then −180 … east (a box that wraps onto itself is every column).
  return first <= last ? range(0, columns - 1) : [...range(first, columns - 1), ...range(0, last)];
}

/**
 * The finest precision (from `MAX_QUERY_PRECISION` down to `PARTITION_PRECISION`) whose covering
 * of `box` has at most `TARGET_CELLS` cells; `PARTITION_PRECISION` when none has (boxes close to
 * a pole, see ARCHITECTURE.md for the bound).
 */
export function queryPrecision(box: Box): number {
  for (let precision = MAX_QUERY_PRECISION; precision > PARTITION_PRECISION; precision--) {
    if (coveringCount(box, precision) <= TARGET_CELLS) return precision;
  }
  return PARTITION_PRECISION;
}
