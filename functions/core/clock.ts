/**
 * The time, as a port. Every use case that reads the time takes a `Clock` instead of calling
 * `new Date()`, so a test can fix or move it, and expiry rules (TTL fields, pending uploads,
 * rejected files) are decided against one `now` per request.
 *
 * @example
 * await verifyUpload({ records, objects, clock: systemClock }, key);
 * await verifyUpload({ records, objects, clock: { now: () => new Date('2030-01-01T00:00:00Z') } }, key);
 */
export type Clock = { now(): Date };

/** The machine's clock (in Lambda, UTC). */
export const systemClock: Clock = { now: () => new Date() };
