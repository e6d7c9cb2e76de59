/** The caller's location operations of the HTTP contract (docs/api/geolocation.md). */
import { z } from 'zod';
import { point } from '../core/geo/geo-fields.js';
import { defineOperation, type Operation } from './operation.js';

const reportedPoint = point().extend({ accuracyMeters: z.number().min(0).max(1_000_000).optional() });

export const storedLocationSchema = z
  .object({ location: z.object({ lat: z.number(), lng: z.number(), accuracyMeters: z.number().optional() }), updatedAt: z.string() })
  .meta({ id: 'StoredLocation' });

export const locationReportSchema = storedLocationSchema
  .extend({
    entered: z.array(z.string()).describe('Fences (document ids) entered since the previous report'),
    exited: z.array(z.string()).describe('Fences left since the previous report'),
    inside: z.array(z.string()).describe('Fences the point is inside now'),
  })
  .meta({ id: 'LocationReport' });

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
