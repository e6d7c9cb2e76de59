/**
 * The token of an `Authorization: Bearer <token>` header, read one way everywhere: by the HTTP
 * stack on routes where the function verifies a token itself, by the routes that call Cognito
 * with the caller's own token, and by local mode's gateway.
 *
 * @example
 * bearerToken('Bearer eyJ…'); // 'eyJ…'
 * bearerToken('Basic dXNlcg=='); // undefined
 * bearerToken(undefined); // undefined
 */
const BEARER = /^Bearer\s+(\S+)$/i;

/** The token, or `undefined` when the header is absent or not `Bearer <token>`. */
export function bearerToken(header: string | undefined): string | undefined {
  return header === undefined ? undefined : BEARER.exec(header)?.[1];
}
