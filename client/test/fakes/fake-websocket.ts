/** A WebSocket the test drives: it opens, answers and drops when told to, and records what is sent. */
import type { WebSocketLike } from '../../src/index.js';

export type FakeSocket = Omit<WebSocketLike, 'readyState'> & {
  readyState: number;
  url: string;
  sent: Record<string, unknown>[];
  closedWith?: number;
  /** Answer each `ping` with a `pong`, as a live server does. */
  answerPings?: boolean;
  /** The server accepts the connection. */
  open(): void;
  /** The server sends a frame. */
  receive(frame: Record<string, unknown>): void;
  /** The connection is lost (or the server closes it). */
  drop(code?: number): void;
};

export function fakeSockets() {
  const sockets: FakeSocket[] = [];
  function FakeWebSocket(this: unknown, url: string): FakeSocket {
    const socket: FakeSocket = {
      url,
      readyState: 0,
      sent: [],
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      send(data) {
        if (socket.readyState !== 1) throw new Error('not open');
        const frame = JSON.parse(data) as Record<string, unknown>;
        socket.sent.push(frame);
        if (frame.type === 'ping' && socket.answerPings) queueMicrotask(() => socket.receive({ type: 'pong' }));
      },
      close(code) {
        if (socket.readyState >= 2) return;
        socket.closedWith = code;
        socket.readyState = 3;
        socket.onclose?.({ code });
      },
      open() {
        socket.readyState = 1;
        socket.onopen?.({});
      },
      receive(frame) {
        socket.onmessage?.({ data: JSON.stringify(frame) });
      },
      drop(code = 1006) {
        socket.readyState = 3;
        socket.onclose?.({ code });
      },
    };
    sockets.push(socket);
    return socket;
  }
  return {
    WebSocket: FakeWebSocket as unknown as new (url: string) => WebSocketLike,
    sockets,
    /** The newest socket. */
    get last(): FakeSocket {
      return sockets.at(-1)!;
    },
  };
}
