/**
 * Distances and shapes on the sphere the contract names (radius 6,371,008.8 m, the mean Earth
 * radius): haversine distances, the box around a circle, boxes across the antimeridian, and
 * point-in-polygon for fences.
 */
import type { Box } from './geohash.js';

export const EARTH_RADIUS_METERS = 6_371_008.8;
export type Point = { lat: number; lng: number };

const RADIANS = Math.PI / 180;
/** Boxes grow by this much (≈ 1 cm) so that rounding can never leave a match outside the cells read. */
const MARGIN_DEGREES = 1e-7;

/** The great-circle distance in meters (haversine, numerically stable for tiny and antipodal distances). */
export function distanceMeters(a: Point, b: Point): number {
  const dLat = (b.lat - a.lat) * RADIANS;
  const dLng = (b.lng - a.lng) * RADIANS;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RADIANS) * Math.cos(b.lat * RADIANS) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The smallest latitude/longitude box holding every point within `radiusMeters` of `center`
 * (a circle around a pole takes every longitude; one across the antimeridian has west > east).
 */
export function circleBox(center: Point, radiusMeters: number): Box {
  const angle = radiusMeters / EARTH_RADIUS_METERS / RADIANS;
  const south = center.lat - angle - MARGIN_DEGREES;
  const north = center.lat + angle + MARGIN_DEGREES;
  if (south <= -90 || north >= 90) {
    return { south: Math.max(-90, south), west: -180, north: Math.min(90, north), east: 180 };
  }
  const ratio = Math.sin(angle * RADIANS) / Math.cos(center.lat * RADIANS);
  if (ratio >= 1) return { south, west: -180, north, east: 180 };
  const halfWidth = Math.asin(ratio) / RADIANS + MARGIN_DEGREES;
  if (halfWidth >= 180) return { south, west: -180, north, east: 180 };
  return { south, west: wrapLongitude(center.lng - halfWidth), north, east: wrapLongitude(center.lng + halfWidth) };
}

/** Whether the point lies in the box, edges included (`west > east` crosses the antimeridian). */
export function boxContains(box: Box, point: Point): boolean {
  if (point.lat < box.south || point.lat > box.north) return false;
  if (box.west <= box.east) return point.lng >= box.west && point.lng <= box.east;
  return point.lng >= box.west || point.lng <= box.east;
}

/** The box's degrees of longitude, east of west (across the antimeridian when west > east). */
export function boxLongitudeSpan(box: Box): number {
  return box.west <= box.east ? box.east - box.west : 360 - box.west + box.east;
}

/**
 * The box's longest side in meters: its height, or its width along the parallel nearest the
 * equator (the widest one).
 */
export function boxLongestSideMeters(box: Box): number {
  const height = (box.north - box.south) * RADIANS * EARTH_RADIUS_METERS;
  const widestLatitude = box.south <= 0 && box.north >= 0 ? 0 : Math.min(Math.abs(box.south), Math.abs(box.north));
  const width = boxLongitudeSpan(box) * RADIANS * EARTH_RADIUS_METERS * Math.cos(widestLatitude * RADIANS);
  return Math.max(height, width);
}

/** The box around a polygon of `[lng, lat]` vertices whose longitudes are taken nearest the first one. */
export function polygonBox(vertices: readonly (readonly [number, number])[]): Box {
  const unwrapped = unwrapPolygon(vertices);
  const lngs = unwrapped.map(([lng]) => lng);
  const lats = unwrapped.map(([, lat]) => lat);
  return {
    south: Math.min(...lats) - MARGIN_DEGREES,
    north: Math.max(...lats) + MARGIN_DEGREES,
    west: wrapLongitude(Math.min(...lngs) - MARGIN_DEGREES),
    east: wrapLongitude(Math.max(...lngs) + MARGIN_DEGREES),
  };
}

/**
 * Whether the point is inside the polygon (edges are straight in longitude/latitude: a planar
 * approximation that differs from great-circle edges by well under a meter per kilometer of edge
 * for the ≤ 100 km fences Lambase accepts). Longitudes are unwrapped around the first vertex, so a
 * polygon across the antimeridian works; ray casting (even-odd rule).
 */
export function polygonContains(vertices: readonly (readonly [number, number])[], point: Point): boolean {
  const polygon = unwrapPolygon(vertices);
  const x = nearest(point.lng, polygon[0]![0]);
  const y = point.lat;
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]!;
    const [xj, yj] = polygon[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function unwrapPolygon(vertices: readonly (readonly [number, number])[]): [number, number][] {
  const reference = vertices[0]![0];
  return vertices.map(([lng, lat]) => [nearest(lng, reference), lat]);
}

/** `lng` shifted by a whole turn to lie within 180° of `reference`. */
function nearest(lng: number, reference: number): number {
  let shifted = lng;
  while (shifted - reference > 180) shifted -= 360;
  while (reference - shifted > 180) shifted += 360;
  return shifted;
}

export function wrapLongitude(lng: number): number {
  if (lng > 180) return lng - 360;
  if (lng < -180) return lng + 360;
  return lng;
}
