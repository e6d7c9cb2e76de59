/**
 * The user's own HTTP functions (lambase.config.ts `functions.<name>.http`), generated from the
 * config the suite runs, so a function added there is in the matrix without a line here: each
 * caller gets what the function's `auth` promises — `public` lets everyone through (a token, when
 * sent, names the caller), `authenticated` wants a token (401 without), `group:<name>` wants a
 * token (401) of a member of that group or of the admin group (403 for anyone else). Whoever gets
 * through gets the function's own answer: 200 for the functions of the suite's backend (the
 * example's and the probes of harness/security-backend.ts).
 */
import { functionOperation } from '../../../functions/contract/functions.js';
import type { Backend } from '../../../functions/core/config/define-backend.js';
import type { FunctionAuth } from '../../../functions/core/config/function-config.js';
import type { CallerKind } from '../harness/world.js';
import { everyone, signedIn, type FeatureScenarios, type RouteScenario } from './scenario-types.js';

/** What the function answers whoever its `auth` lets through. */
const ANSWER = 200;

/** The status each caller gets from a function whose auth is `auth` (`memberGroup`: the `member` caller's group). */
export function statusesFor(auth: FunctionAuth, memberGroup: string): Record<CallerKind, number> {
  if (auth === 'public') return everyone(ANSWER);
  if (auth === 'authenticated') return signedIn(ANSWER);
  const group = auth.slice('group:'.length);
  return { anonymous: 401, owner: 403, other: 403, member: group === memberGroup ? ANSWER : 403, admin: ANSWER };
}

export function functionScenarios(backend: Pick<Backend, 'functions'>, memberGroup: string): FeatureScenarios {
  const scenarios: [string, RouteScenario[]][] = [];
  for (const fn of Object.values(backend.functions)) {
    if (fn.trigger.kind !== 'http') continue;
    const operation = functionOperation(fn.name, fn.trigger);
    const params = Object.fromEntries([...fn.trigger.path.matchAll(/\{(\w+)\}/g)].map((match) => [match[1]!, 'probe-1']));
    const withBody = !['GET', 'DELETE'].includes(fn.trigger.method);
    scenarios.push([
      operation.operationId,
      [
        {
          name: `auth ${fn.trigger.auth}`,
          // The body is the function's to validate: a plain JSON object, as a client would send.
          request: () => ({ params, query: { from: 'security-suite' }, ...(withBody ? { body: { note: 'hello' } } : {}) }),
          expect: statusesFor(fn.trigger.auth, memberGroup),
        },
      ],
    ]);
  }
  return Object.fromEntries(scenarios);
}
