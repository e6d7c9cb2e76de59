/**
 * The schemas many operations share: the error body and list pages (docs/api/README.md). Apart
 * from operation.ts so that declaring an operation builds none of them.
 */
import * as z from '../core/zod.js';

/** The body of every error response (docs/api/README.md). */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.optional(
        z.array(
          z.object({
            path: z.optional(z.string()),
            index: z.optional(z.number().check(z.int())),
            code: z.optional(z.string()),
            message: z.string(),
          }),
        ),
      ),
      requestId: z.string(),
    }),
  })
  .register(z.globalRegistry, { id: 'Error' });

/** A page of a list (docs/api/README.md). */
export function pageOf<T extends z.Schema>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.nullable(z.string()) });
}

/** `?limit=&cursor=`: limit 1–100 (larger values are clamped to 100), default 20. */
export const pageQuerySchema = z.object({
  limit: z._default(
    z.pipe(
      z.coerce.number().check(z.int('limit must be a whole number'), z.minimum(1, 'limit must be at least 1')),
      z.transform((limit: number) => Math.min(limit, 100)),
    ),
    20,
  ),
  cursor: z.optional(z.string().check(z.minLength(1), z.maxLength(4096))),
});
