/**
 * The WebSocket stack: what the HTTP stack (functions/shared/http-handler.ts) is to routes, this
 * is to the WebSocket API's `$connect`, `$disconnect` and `$default` routes, in one fixed order:
 *
 *   logger (Lambda context, request and connection ids) → [frame parsing] → the use case
 *   → result; errors mapped in one place (the HTTP stack's mapper), frames never logged
 *
 * `$default` answers with the frame it returns (the route response); a domain error becomes an
 * `error` frame with the contract's code, anything unexpected a generic `Internal` one. The
 * connection always stays open.
 *
 * @example
 * export const handler = frameHandler((frame, request) => receive(request, frame));
 */
import middy from '@middy/core';
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { parseClientFrame } from '../contract/realtime.js';
import type { ClientFrame, ServerFrame } from '../core/realtime/realtime-protocol.js';
import { errorResult } from './error-response.js';
import { logger, loggerContext } from './logger.js';

export type WebSocketEvent = APIGatewayProxyWebsocketEventV2;
export type WebSocketResult = { statusCode: number; body?: string };
export type WebSocketRequest = { connectionId: string; connectedAt: number; requestId: string; event: WebSocketEvent; context: Context };

function requestOf(event: WebSocketEvent, context: Context): WebSocketRequest {
  const { connectionId, connectedAt, requestId } = event.requestContext;
  return { connectionId, connectedAt, requestId, event, context };
}

function withLogger<R>(handle: (event: WebSocketEvent, context: Context) => Promise<R>) {
  return middy<WebSocketEvent, R>()
    .use(loggerContext())
    .use({
      before: function connectionKeys({ event }) {
        logger.appendKeys({ requestId: event.requestContext?.requestId, route: event.requestContext?.routeKey, connectionId: event.requestContext?.connectionId });
      },
    })
    .handler(handle);
}

/**
 * `$connect` and `$disconnect`: runs `handle`. A failure is logged and answered 500, which on
 * `$connect` makes API Gateway refuse the connection (on `$disconnect` nobody is listening).
 */
export function connectionHandler(handle: (request: WebSocketRequest) => Promise<void>) {
  return withLogger(async (event, context): Promise<WebSocketResult> => {
    const startedAt = Date.now();
    try {
      await handle(requestOf(event, context));
      logger.info('connection', { durationMs: Date.now() - startedAt });
      return { statusCode: 200 };
    } catch (error) {
      logger.error('connection route failed', error as Error);
      return { statusCode: 500 };
    }
  });
}

/** `$default`: one client frame in, one frame back. */
export function frameHandler(handle: (frame: ClientFrame, request: WebSocketRequest) => Promise<ServerFrame>) {
  return withLogger(async (event, context): Promise<WebSocketResult> => {
    const startedAt = Date.now();
    const parsed = parseClientFrame(event.body, event.isBase64Encoded);
    let answer: ServerFrame;
    if (!parsed.ok) {
      answer = errorFrame(parsed.error, parsed.id, event.requestContext.requestId);
    } else {
      try {
        answer = await handle(parsed.frame, requestOf(event, context));
      } catch (error) {
        answer = errorFrame(error, 'id' in parsed.frame ? parsed.frame.id : undefined, event.requestContext.requestId);
      }
    }
    logger.info('frame', {
      frame: parsed.ok ? parsed.frame.type : 'invalid',
      answer: answer.type,
      ...(answer.type === 'error' ? { code: answer.code } : {}),
      durationMs: Date.now() - startedAt,
    });
    return { statusCode: 200, body: JSON.stringify(answer) };
  });
}

function errorFrame(error: unknown, id: string | undefined, requestId: string): ServerFrame {
  const { result, unexpected } = errorResult(error, requestId);
  if (unexpected) logger.error('frame failed', error as Error);
  const { code, message } = (result.body as { error: { code: string; message: string } }).error;
  return { type: 'error', ...(id !== undefined ? { id } : {}), code, message };
}
