/** `ctx.push` (uses: `push`): push notifications to users and topics, each also in the inbox. */
export { pushService as part } from '../../push/push-wiring.js';
