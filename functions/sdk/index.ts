/**
 * `lambase/functions`: what a user function imports (docs/api/functions.md).
 *
 * @example
 * import { defineFunction } from 'lambase/functions';
 * export const handler = defineFunction<'stats'>(async (request, ctx) => ({ status: 200, body: { hello: request.caller.userId } }));
 */
export { defineFunction } from './define-function.js';
export type {
  AnyFunctionEvent,
  CollectionName,
  DocumentInputOf,
  DocumentOf,
  EventFor,
  FunctionCaller,
  FunctionContext,
  FunctionName,
  FunctionResponse,
  HttpFunctionRequest,
} from './function-types.js';
export type {
  DocumentCreatedEvent,
  DocumentDeletedEvent,
  DocumentUpdatedEvent,
  FileUploadedEvent,
  GeofenceEnteredEvent,
  GeofenceEvent,
  GeofenceExitedEvent,
  ScheduledEvent,
  UserSignedUpEvent,
} from '../core/events/lambase-events.js';
