/**
 * Opaque page cursors. A cursor carries the position to resume from (the last returned item's
 * key) and a fingerprint of the query and caller it belongs to, signed with HMAC-SHA256. A cursor
 * that was altered, or that is replayed by another caller or for another query, is refused with
 * 400 — so it can never be forged to read another partition.
 *
 * @example
 * const codec = new CursorCodec(key);
 * const cursor = codec.encode(lastKey, { caller: 'u1', query });
 * codec.decode(cursor, { caller: 'u1', query }); // → lastKey
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors.js';

export type CursorPosition = Record<string, string | number>;

/** Signed page cursors bound to a scope; what the use cases that page need (`CursorCodec` implements it). */
export type PageCursors = {
  encode(position: CursorPosition, scope: unknown): string;
  /** Throws `ValidationError` for a cursor that was altered or issued for another scope. */
  decode(cursor: string, scope: unknown): CursorPosition;
};

const VERSION = 1;

/**
 * Page cursors signed with a key that is loaded on first use (in the cloud it lives in the table:
 * functions/adapters/dynamodb-cursor-key.ts `tableCursors`), for the use cases that take
 * `cursors: () => Promise<PageCursors>`.
 *
 * @example
 * const cursors = pageCursors(async () => key);
 * (await cursors()).encode(position, scope);
 */
export function pageCursors(key: () => Promise<Buffer>): () => Promise<PageCursors> {
  return async () => new CursorCodec(await key());
}

export class CursorCodec implements PageCursors {
  constructor(private readonly key: Buffer) {}

  encode(position: CursorPosition, scope: unknown): string {
    const payload = Buffer.from(JSON.stringify({ v: VERSION, p: position, s: fingerprint(scope) })).toString('base64url');
    return `${payload}.${this.sign(payload)}`;
  }

  /** The position, or a ValidationError when the cursor is not one we issued for this scope. */
  decode(cursor: string, scope: unknown): CursorPosition {
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined || !this.verify(payload, signature)) throw invalidCursor();
    let parsed: { v?: unknown; p?: unknown; s?: unknown };
    try {
      parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof parsed;
    } catch {
      throw invalidCursor();
    }
    if (parsed.v !== VERSION || parsed.s !== fingerprint(scope) || !isPosition(parsed.p)) throw invalidCursor();
    return parsed.p;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

function fingerprint(scope: unknown): string {
  return createHash('sha256').update(JSON.stringify(scope)).digest('base64url').slice(0, 22);
}

function isPosition(value: unknown): value is CursorPosition {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((inner) => typeof inner === 'string' || typeof inner === 'number')
  );
}

function invalidCursor(): ValidationError {
  return new ValidationError('The cursor is not valid for this query: pass nextCursor from the previous page unchanged.', {
    details: [{ path: 'cursor', message: 'Invalid cursor' }],
  });
}
