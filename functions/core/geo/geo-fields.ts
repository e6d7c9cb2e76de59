/**
 * The geo field types of a collection, in the full zod the config is written in (function code
 * uses point-schema.ts, the same point on zod/mini): `point()` and `polygon()`. They are plain zod schemas of a
 * fixed shape, so everything that reads the config recognises them by shape alone (the config's
 * validation, the OpenAPI document, the client's type generator, which maps the point to `GeoPoint`).
 *
 * @example
 * places: { fields: { name: z.string(), location: point() }, indexes: { nearby: { geo: 'location' } } }
 */
import { z } from 'zod';
import { LATITUDE_MESSAGE, LONGITUDE_MESSAGE } from './point-schema.js';

/** At most this many vertices in a polygon (a fence is compared with a point on every location report). */
export const MAX_POLYGON_VERTICES = 100;

/** `{ lat, lng }` in degrees (WGS 84): lat −90…90, lng −180…180. */
export function point() {
  return z.strictObject({
    lat: z.number().min(-90, LATITUDE_MESSAGE).max(90, LATITUDE_MESSAGE),
    lng: z.number().min(-180, LONGITUDE_MESSAGE).max(180, LONGITUDE_MESSAGE),
  });
}

/** A polygon of 3–100 `[lng, lat]` vertices (GeoJSON's order), not closed (the last vertex joins the first). */
export function polygon() {
  return z
    .array(z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]))
    .min(3, 'a polygon has at least 3 vertices')
    .max(MAX_POLYGON_VERTICES, `a polygon has at most ${MAX_POLYGON_VERTICES} vertices`);
}
