/**
 * The run-time schemas of a point (zod/mini): `PUT /me/location`'s body, `near` and `within`.
 * A collection's `point()` field (geo-fields.ts) is the same schema in full zod, which the config
 * is written in; test/unit/geo/point-schema.test.ts checks that the two stay one definition.
 */
import * as z from '../zod.js';

export const LATITUDE_MESSAGE = 'lat is −90…90 degrees';
export const LONGITUDE_MESSAGE = 'lng is −180…180 degrees';

export const latitudeSchema = z.number().check(z.gte(-90, LATITUDE_MESSAGE), z.lte(90, LATITUDE_MESSAGE));
export const longitudeSchema = z.number().check(z.gte(-180, LONGITUDE_MESSAGE), z.lte(180, LONGITUDE_MESSAGE));

/** `{ lat, lng }` in degrees (WGS 84). */
export const pointSchema = z.strictObject({ lat: latitudeSchema, lng: longitudeSchema });
