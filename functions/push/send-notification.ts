/**
 * 🔒 POST /push/send → 202 `{ notificationId, deliveries }` (admin group only). A create route: a
 * retry with the same Idempotency-Key gets the first answer and sends nothing again
 * (functions/shared/idempotency.ts); a retry after a failure reuses the notification id, so the
 * inbox items are overwritten, not doubled.
 */
import { UnauthorizedError } from '../core/errors.js';
import { sendAsAdmin, type SendRequest } from '../core/push/send-notification.js';
import { sendNotificationOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { accepted } from '../shared/http-result.js';
import { idempotentOperation } from '../shared/idempotency.js';
import { notificationIdFor, sendDependencies } from './push-wiring.js';

const deps = sendDependencies();

const sendOnce = idempotentOperation('sendNotification', async (caller, request: SendRequest) => {
  if (!caller) throw new UnauthorizedError();
  return accepted(await sendAsAdmin(deps, caller, request));
});

export const handler = httpHandler(sendNotificationOperation, (request) =>
  sendOnce(request, { ...request.body, notificationId: notificationIdFor(request.caller.userId, request.headers['idempotency-key']) }),
);
