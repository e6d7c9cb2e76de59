/** `ctx.notifications` (uses: `notifications`): inbox notifications only. */
export { inboxService as part } from '../../push/push-wiring.js';
