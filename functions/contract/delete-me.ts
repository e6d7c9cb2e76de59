/**
 * `DELETE /me` (docs/api/auth.md), part of the auth operations (auth.ts lists it). It takes no
 * params, query or body, so it lives apart from auth.ts, which builds every other auth schema when
 * it loads: the function that erases an account then carries no zod at all (test/unit/build/function-bundles.test.ts).
 */
import { defineOperation } from './operation.js';

export const deleteMeOperation = defineOperation({
  operationId: 'deleteMe',
  method: 'DELETE',
  path: '/me',
  auth: 'required',
  summary: 'Deletes everything the caller owns, then the account. Safe to retry.',
  tag: 'account',
  responses: { 204: { description: 'Done' } },
});
