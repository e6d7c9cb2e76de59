/**
 * `If-Match` / `ETag` for documents: the strong entity tag of a document is its version, quoted.
 */
import { ValidationError } from '../errors.js';
import type { Precondition } from './document-service.js';

/** Reads `If-Match: "3"` (or `*`); absent → undefined; anything else → 400. */
export function parseIfMatch(header: string | undefined): Precondition {
  if (header === undefined || header.trim() === '') return undefined;
  const value = header.trim();
  if (value === '*') return '*';
  const match = /^"(\d{1,15})"$/.exec(value) ?? /^(\d{1,15})$/.exec(value);
  if (!match) {
    throw new ValidationError('If-Match must be the document\'s ETag, a version in quotes such as "3".', {
      details: [{ path: 'headers.if-match', message: 'Not a version' }],
    });
  }
  return Number(match[1]);
}

export const etagOf = (version: number) => `"${version}"`;

/** The `ETag` header of a document response. */
export const etagHeader = (document: { version: number }) => ({ etag: etagOf(document.version) });
