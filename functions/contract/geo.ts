/** The caller's location operations of the HTTP contract (docs/api/geolocation.md). */
import { pointSchema } from '../core/geo/point-schema.js';
import * as z from '../core/zod.js';
import { defineOperation, type Operation } from './operation.js';

const reportedPoint = z.extend(pointSchema, { accuracyMeters: z.optional(z.number().check(z.gte(0), z.lte(1_000_000))) });

export const storedLocationSchema = z
  .object({ location: z.object({ lat: z.number(), lng: z.number(), accuracyMeters: z.optional(z.number()) }), updatedAt: z.string() })
  .register(z.globalRegistry, { id: 'StoredLocation' });

export const locationReportSchema = z
  .extend(storedLocationSchema, {
    entered: z.array(z.string()).check(z.describe('Fences (document ids) entered since the previous report')),
    exited: z.array(z.string()).check(z.describe('Fences left since the previous report')),
    inside: z.array(z.string()).check(z.describe('Fences the point is inside now')),
  })
  .register(z.globalRegistry, { id: 'LocationReport' });

export const reportLocationOperation = defineOperation({
  operationId: 'reportLocation',
  method: 'PUT',
  path: '/me/location',
  auth: 'required',
  summary: "Stores the caller's location (private) and reports the geofences entered, exited and inside; each enter or exit is an event functions can react to.",
  tag: 'account',
  body: reportedPoint,
  responses: { 200: { description: 'The stored location and the fences', schema: locationReportSchema } },
});

export const getLocationOperation = defineOperation({
  operationId: 'getLocation',
  method: 'GET',
  path: '/me/location',
  auth: 'required',
  summary: "The caller's last reported location; 404 when there is none.",
  tag: 'account',
  responses: { 200: { description: 'The last location', schema: storedLocationSchema } },
});

export const deleteLocationOperation = defineOperation({
  operationId: 'deleteLocation',
  method: 'DELETE',
  path: '/me/location',
  auth: 'required',
  summary: 'Forgets the location; every fence is left without events.',
  tag: 'account',
  responses: { 204: { description: 'Forgotten' } },
});

export const geoOperations: readonly Operation[] = [reportLocationOperation, getLocationOperation, deleteLocationOperation];
