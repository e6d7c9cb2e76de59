/**
 * stats: 🔒 GET /stats → { notes, files }, the caller's counts. Each is one Query with
 * `Select: COUNT` on the caller's own partition of byOwnerCreated (paginated per MB): exact, no
 * scan, and nothing to keep in step on every write (as counters would be).
 * lambase.config.ts: `http: { method: 'GET', path: '/stats', auth: 'authenticated' }, uses: ['documents:read', 'files']`
 */
import { defineFunction } from 'lambase/functions';

export const handler = defineFunction<'stats'>(async (request, ctx) => {
  const owner = request.caller.userId;
  const [notes, files] = await Promise.all([ctx.documents.count('notes', { owner }), ctx.files.count({ owner })]);
  return { status: 200, body: { notes, files } };
});
