/**
 * The backends the suite checks: the example's (lambase.config.ts) with probe functions added, so
 * that every kind of user function is there whatever the example declares — an HTTP function per
 * auth mode (`public`, `authenticated`, `group:` a group the `member` caller is in, `group:` a group
 * nobody is in), a schedule, and an event function only the suite's own writes start. The probes
 * are test/fixtures/functions/record-lambase-events.ts, a user function written with
 * defineFunction: over HTTP it answers 200 with what it was asked; on an event it notes the event
 * in FIXTURE_EVENTS_FILE, and throws on a note titled `always-throw…`.
 *
 * - `suiteBackend` is synthesized by the deploy-time checks: every function's role, the
 *   example's included.
 * - `worldBackend` runs in the HTTP suite's local backend. It leaves out the example's event
 *   functions: they write to the table whenever a user signs up or a post is published, at times no
 *   request controls, and would race the suite's "a refused request changed nothing" snapshots.
 *   The probe event function runs only on notes whose body is {@link PROBE_BODY}.
 */
import example from '../../../lambase.config.js';
import { defineBackend } from '../../../functions/core/config/define-backend.js';
import type { FunctionInput } from '../../../functions/core/config/function-config.js';
import { MEMBER_GROUP } from './world.js';

/** A group no caller of the suite is in: its routes are for admins alone. */
export const NOBODYS_GROUP = 'security-nobody';

/** The body of the notes that start the probe event function. */
export const PROBE_BODY = 'security-probe';

const PROBE = 'test/fixtures/functions/record-lambase-events.ts';

const probes: Record<string, FunctionInput> = {
  'probe-public': { handler: PROBE, http: { method: 'GET', path: '/probe/public/{itemId}', auth: 'public' } },
  'probe-signed-in': { handler: PROBE, http: { method: 'PUT', path: '/probe/signed-in', auth: 'authenticated' }, uses: ['documents'] },
  'probe-members': { handler: PROBE, http: { method: 'POST', path: '/probe/members/{itemId}', auth: `group:${MEMBER_GROUP}` } },
  'probe-nobody': { handler: PROBE, http: { method: 'DELETE', path: '/probe/nobody/{itemId}', auth: `group:${NOBODYS_GROUP}` } },
  'probe-nightly': { handler: PROBE, schedule: 'rate(1 day)', uses: ['documents:read'] },
  'probe-events': { handler: PROBE, on: { event: 'documentCreated', collection: 'notes', where: { body: PROBE_BODY } }, uses: ['notifications'] },
};

const auth = { ...example.definition.auth, groups: [...example.auth.groups, MEMBER_GROUP, NOBODYS_GROUP] };

export const suiteBackend = defineBackend({ ...example.definition, auth, functions: { ...example.definition.functions, ...probes } });

const requestDriven = Object.entries(example.definition.functions ?? {}).filter(([, fn]) => !('on' in fn && fn.on !== undefined));
export const worldBackend = defineBackend({ ...example.definition, auth, functions: { ...Object.fromEntries(requestDriven), ...probes } });
