/**
 * The HTTP operations of the user's own functions (lambase.config.ts `functions.<name>.http`):
 * built from the config, so the route table deploys them, the local gateway serves them,
 * `GET /openapi.json` lists them and the function's middleware stack validates with them.
 */
import type { AuthMode } from './operation.js';
import { defineOperation, type Operation } from './operation.js';
import * as z from '../core/zod.js';
import type { Backend } from '../core/config/define-backend.js';
import type { FunctionAuth, FunctionHttpMethod } from '../core/config/function-kinds.js';

export type FunctionHttp = { method: FunctionHttpMethod; path: string; auth: FunctionAuth };

/** `public` routes still take a token (the function then knows its caller); the others need one. */
export function authModeOf(auth: FunctionAuth): AuthMode {
  return auth === 'public' ? 'optional' : 'required';
}

/** `notify-new-post` → `notifyNewPost`. */
const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

export function functionOperation(name: string, http: FunctionHttp): Operation {
  const parameters = [...http.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  return defineOperation({
    operationId: camel(name),
    method: http.method,
    path: http.path,
    auth: authModeOf(http.auth),
    summary: `The function "${name}" of lambase.config.ts${http.auth.startsWith('group:') ? ` (members of ${http.auth.slice(6)} only)` : ''}.`,
    tag: 'functions',
    ...(parameters.length ? { params: z.object(Object.fromEntries(parameters.map((parameter) => [parameter, z.string().check(z.minLength(1))]))) } : {}),
    query: z.record(z.string(), z.string()),
    responses: { 200: { description: 'What the function answers (its own { status, body })' } },
  });
}

/** The operation of every HTTP function of `backend`, in declaration order. */
export function functionOperations(backend: Pick<Backend, 'functions'>): Operation[] {
  return Object.values(backend.functions).flatMap((fn) => (fn.trigger.kind === 'http' ? [functionOperation(fn.name, fn.trigger)] : []));
}
