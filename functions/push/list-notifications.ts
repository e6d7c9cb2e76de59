/** 🔒 GET /notifications → 200 a page of the caller's inbox, newest first. */
import { systemClock } from '../core/clock.js';
import { listInbox } from '../core/push/inbox.js';
import { listNotificationsOperation } from '../contract/push.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { inboxStore, pushCursors } from './push-wiring.js';

const deps = { inbox: inboxStore(), cursors: pushCursors(), clock: systemClock };

export const handler = httpHandler(listNotificationsOperation, async ({ caller, query }) => ok(await listInbox(deps, caller, query)));
