/**
 * The geometry a user relies on: distances on the contract's sphere, and coverings that never
 * miss a point inside a circle or box (poles and the antimeridian included), with few cells.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellBox, coveringCells, encodeGeohash, queryPrecision, TARGET_CELLS } from '../../../functions/core/geo/geohash.js';
import {
  boxContains,
  boxLongestSideMeters,
  circleBox,
  distanceMeters,
  EARTH_RADIUS_METERS,
  polygonContains,
  wrapLongitude,
  type Point,
} from '../../../functions/core/geo/geometry.js';

const RAD = Math.PI / 180;

/** The point `meters` from `from` along `bearing` degrees (the spherical direct problem). */
function destination(from: Point, bearing: number, meters: number): Point {
  const angle = meters / EARTH_RADIUS_METERS;
  const lat1 = from.lat * RAD;
  const lat2 = Math.asin(Math.sin(lat1) * Math.cos(angle) + Math.cos(lat1) * Math.sin(angle) * Math.cos(bearing * RAD));
  const lng2 = from.lng * RAD + Math.atan2(Math.sin(bearing * RAD) * Math.sin(angle) * Math.cos(lat1), Math.cos(angle) - Math.sin(lat1) * Math.sin(lat2));
  return { lat: lat2 / RAD, lng: wrapLongitude(lng2 / RAD) };
}

describe('distanceMeters', () => {
  it.each([
    ['one degree along the equator', { lat: 0, lng: 0 }, { lat: 0, lng: 1 }, 111_195.08],
    ['across the antimeridian', { lat: 0, lng: 179.5 }, { lat: 0, lng: -179.5 }, 111_195.08],
    ['pole to pole', { lat: 90, lng: 0 }, { lat: -90, lng: 0 }, 20_015_086.8],
    ['around the north pole', { lat: 89.99, lng: 0 }, { lat: 89.99, lng: 180 }, 2_223.9],
    ['Paris to London', { lat: 48.8566, lng: 2.3522 }, { lat: 51.5074, lng: -0.1278 }, 343_557],
    ['a meter north', { lat: 45, lng: 7 }, { lat: 45 + 1 / 111_195.08, lng: 7 }, 1],
  ])('%s', (_, a, b, meters) => {
    expect(Math.abs(distanceMeters(a, b) - meters)).toBeLessThan(Math.max(0.01, meters * 1e-5));
  });

  it('is symmetric and zero for the same point', () => {
    expect(distanceMeters({ lat: 10, lng: 20 }, { lat: 10, lng: 20 })).toBe(0);
    expect(distanceMeters({ lat: -33.9, lng: 151.2 }, { lat: 35.7, lng: 139.7 })).toBeCloseTo(distanceMeters({ lat: 35.7, lng: 139.7 }, { lat: -33.9, lng: 151.2 }), 6);
  });
});

const center = fc.record({ lat: fc.double({ min: -90, max: 90, noNaN: true }), lng: fc.double({ min: -180, max: 180, noNaN: true }) });
const radius = fc.oneof(fc.double({ min: 1, max: 50, noNaN: true }), fc.double({ min: 1, max: 50_000, noNaN: true }));

describe('coverings', () => {
  it('hold every point within the radius, at any latitude and across the antimeridian', () => {
    fc.assert(
      fc.property(center, radius, fc.double({ min: 0, max: 360, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (c, r, bearing, fraction) => {
        const box = circleBox(c, r);
        const cells = coveringCells(box, queryPrecision(box));
        const inside = destination(c, bearing, r * fraction);
        // The direct formula loses precision next to a pole; what counts is the distance Lambase computes.
        fc.pre(distanceMeters(c, inside) <= r);
        expect(boxContains(box, inside)).toBe(true);
        const geohash = encodeGeohash(inside.lat, inside.lng);
        expect(cells.some((cell) => geohash.startsWith(cell))).toBe(true);
      }),
      { numRuns: 20_000 },
    );
  });

  it(`need at most ${TARGET_CELLS} cells for any radius ≤ 50 km wherever |lat| ≤ 77°`, () => {
    fc.assert(
      fc.property(center.filter((c) => Math.abs(c.lat) <= 77), radius, (c, r) => {
        const box = circleBox(c, r);
        expect(coveringCells(box, queryPrecision(box)).length).toBeLessThanOrEqual(TARGET_CELLS);
      }),
      { numRuns: 3000 },
    );
  });

  it('take every longitude around a pole, in two rows of coarse cells at most', () => {
    const box = circleBox({ lat: 89.9, lng: 12 }, 50_000);
    expect(box).toMatchObject({ west: -180, east: 180, north: 90 });
    const cells = coveringCells(box, queryPrecision(box));
    expect(cells.length).toBeLessThanOrEqual(2 * 256);
    expect(cells.every((cell) => cell.length === 3)).toBe(true);
  });

  it('split a circle on the antimeridian into both sides', () => {
    const box = circleBox({ lat: 0, lng: 179.99 }, 5_000);
    expect(box.west).toBeGreaterThan(box.east);
    const cells = coveringCells(box, queryPrecision(box));
    expect(cells.some((cell) => cellBox(cell).east === 180)).toBe(true);
    expect(cells.some((cell) => cellBox(cell).west === -180)).toBe(true);
  });

  it('include points on a box edge', () => {
    const box = { south: 10, west: 20, north: 10.5, east: 20.5 };
    const cells = coveringCells(box, queryPrecision(box));
    for (const corner of [{ lat: 10, lng: 20 }, { lat: 10.5, lng: 20.5 }, { lat: 10, lng: 20.5 }, { lat: 10.5, lng: 20 }]) {
      expect(boxContains(box, corner)).toBe(true);
      expect(cells.some((cell) => encodeGeohash(corner.lat, corner.lng).startsWith(cell))).toBe(true);
    }
  });
});

describe('boxes and polygons', () => {
  it('measure a box by its longest side, across the antimeridian too', () => {
    expect(boxLongestSideMeters({ south: 0, west: 179.5, north: 0.1, east: -179.6 })).toBeCloseTo(0.9 * 111_195.08, -1);
    expect(boxLongestSideMeters({ south: 60, west: 0, north: 60.1, east: 1 })).toBeCloseTo(111_195.08 * 0.5, -1);
  });

  it('decide containment in a polygon that crosses the antimeridian', () => {
    const square: [number, number][] = [[179.9, -0.1], [-179.9, -0.1], [-179.9, 0.1], [179.9, 0.1]];
    expect(polygonContains(square, { lat: 0, lng: 180 })).toBe(true);
    expect(polygonContains(square, { lat: 0, lng: -179.95 })).toBe(true);
    expect(polygonContains(square, { lat: 0, lng: 179.8 })).toBe(false);
    expect(polygonContains(square, { lat: 0.2, lng: 180 })).toBe(false);
  });
});
