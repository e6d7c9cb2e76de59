/** `$disconnect`: the connection and every subscription it held are deleted. */
import { closeConnection } from '../core/realtime/connections.js';
import { connectionHandler } from '../shared/websocket-handler.js';
import { connectionStore } from './realtime-wiring.js';

const deps = { connections: connectionStore() };

export const handler = connectionHandler(({ connectionId }) => closeConnection(deps, connectionId));
