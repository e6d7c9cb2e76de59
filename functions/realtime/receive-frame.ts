/**
 * `$default`: one frame from the client (`auth`, `subscribe`, `unsubscribe`, `ping`), answered
 * with one frame (the route response). Frames that end subscriptions on the way (another user's
 * `auth`, an expired token) are posted through `@connections` before the answer.
 */
import { receiveFrame } from '../core/realtime/connections.js';
import { frameHandler } from '../shared/websocket-handler.js';
import { realtimeDependencies, tokenVerifier } from './realtime-wiring.js';

const deps = { ...realtimeDependencies(), verifyToken: tokenVerifier() };

export const handler = frameHandler((frame, { connectionId, connectedAt }) => receiveFrame(deps, { connectionId, connectedAt }, frame));
