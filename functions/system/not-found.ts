import { NotFoundError } from '../core/errors.js';
import { notFoundOperation } from '../contract/system.js';
import { httpHandler } from '../shared/http-handler.js';

export const handler = httpHandler(notFoundOperation, async ({ event }) => {
  throw new NotFoundError(`No route matches ${event.requestContext.http.method} ${event.rawPath}.`);
});
