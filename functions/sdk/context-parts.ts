/**
 * What a user function's `ctx` is made of, for either path of `defineFunction`.
 */
import { createHash } from 'node:crypto';
import backend from '../../lambase.config.js';
import { logger } from '../shared/logger.js';
import type { FunctionSettings } from './function-settings.js';
import type { AnyFunctionEvent, FunctionContext, FunctionResponse } from './function-types.js';
import { inboxService, pushService, serverDocuments, serverFiles, UndeclaredUseError } from './sdk-wiring.js';

export type Run = (event: AnyFunctionEvent, ctx: FunctionContext) => Promise<FunctionResponse | void>;
export type Parts = ReturnType<typeof contextParts>;

/**
 * What `ctx` is made of: each server-side API built on first use, and only if declared in `uses`
 * (an undeclared one fails with the config line to add; a read-only `documents` refuses writes).
 */
export function contextParts(settings: FunctionSettings) {
  const has = (use: FunctionSettings['uses'][number]) => settings.uses.includes(use);
  const lazily = <T>(build: () => T) => {
    let built: T | undefined;
    return () => (built ??= build());
  };
  const documents = lazily(() => {
    if (!has('documents') && !has('documents:read')) throw new UndeclaredUseError(settings.name, 'documents', 'documents');
    const server = serverDocuments();
    if (has('documents')) return server;
    const readOnly = () => Promise.reject(new UndeclaredUseError(settings.name, 'documents (writing)', 'documents'));
    return Object.assign(Object.create(server) as typeof server, { create: readOnly, update: readOnly, delete: readOnly });
  });
  const files = lazily(() => (has('files') ? serverFiles() : failWith(new UndeclaredUseError(settings.name, 'files', 'files'))));
  const push = lazily(() => (has('push') ? pushService() : failWith(new UndeclaredUseError(settings.name, 'push', 'push'))));
  const inbox = lazily(() => (has('notifications') ? inboxService() : failWith(new UndeclaredUseError(settings.name, 'notifications', 'notifications'))));
  return {
    /** Admins pass every `group:<name>` check, as they pass every access rule. */
    adminGroup: backend.auth.adminGroup,
    contextFor(requestId: string, eventId: string | undefined): FunctionContext {
      // Sends in an event run get ids derived from the event: a retried run overwrites its inbox items.
      let sends = 0;
      const idFor = (given: string | undefined) =>
        given ?? (eventId === undefined ? undefined : createHash('sha256').update(`${settings.name}#${eventId}#${sends++}`).digest('base64url').slice(0, 22));
      return {
        get documents() {
          return documents() as unknown as FunctionContext['documents'];
        },
        get files() {
          return files();
        },
        push: { send: (request) => push().send({ ...request, notificationId: idFor(request.notificationId) }) },
        notifications: { send: (request) => inbox().send({ ...request, notificationId: idFor(request.notificationId) }) },
        logger,
        requestId,
        eventId,
        functionName: settings.name,
      };
    },
  };
}

function failWith(error: Error): never {
  throw error;
}
