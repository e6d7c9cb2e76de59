/**
 * Frames to WebSocket connections through API Gateway's `@connections` management API
 * (PostToConnection). A connection API Gateway no longer holds answers 410 Gone: that is an
 * outcome (`gone`), not an error. Locally the same client posts to local mode's `@connections`
 * endpoint, named by the same environment variable.
 */
import { GoneException, PostToConnectionCommand, type ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { ServerFrame } from '../core/realtime/realtime-protocol.js';
import type { ConnectionMessenger, PostOutcome } from '../core/realtime/realtime-ports.js';

export class ApiGatewayConnectionMessenger implements ConnectionMessenger {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(connectionId: string, frame: ServerFrame): Promise<PostOutcome> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: JSON.stringify(frame) }));
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException || (error as { name?: string }).name === 'GoneException') return 'gone';
      throw error;
    }
  }
}
