/** The geolocation section of the route table (lib/routes.ts): the caller's location. */
import * as geo from '../../functions/contract/geo.js';
import { grants } from '../grants.js';
import type { RouteDefinition } from '../route-types.js';

export const geoRoutes: readonly RouteDefinition[] = [
  // Reads the previous location and the fence cells under the point; writes the location and a geofence event item.
  { operation: geo.reportLocationOperation, handler: 'functions/geo/report-location.ts', grants: [grants.tableReadWrite] },
  { operation: geo.getLocationOperation, handler: 'functions/geo/get-location.ts', grants: [grants.tableRead] },
  { operation: geo.deleteLocationOperation, handler: 'functions/geo/delete-location.ts', grants: [grants.tableWrite] },
];
