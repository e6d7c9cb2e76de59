/**
 * `$connect`: records the new connection, anonymous. No token is read here: browsers cannot set
 * headers on a WebSocket, and a token in the URL would land in access logs; the client sends
 * `auth` once connected.
 */
import { openConnection } from '../core/realtime/connections.js';
import { connectionHandler } from '../shared/websocket-handler.js';
import { connectionStore } from './realtime-wiring.js';

const deps = { connections: connectionStore() };

export const handler = connectionHandler(({ connectionId, connectedAt }) => openConnection(deps, { connectionId, connectedAt }));
