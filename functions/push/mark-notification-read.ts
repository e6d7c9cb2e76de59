/** 🔒 POST /notifications/{notificationId}/read → 204; another user's notification is 404. */
import { systemClock } from '../core/clock.js';
import { markRead } from '../core/push/inbox.js';
import { markNotificationReadOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { inboxStore } from './push-wiring.js';

const deps = { inbox: inboxStore(), clock: systemClock };

export const handler = httpHandler(markNotificationReadOperation, async ({ caller, params }) => {
  await markRead(deps, caller, params.notificationId);
  return noContent();
});
