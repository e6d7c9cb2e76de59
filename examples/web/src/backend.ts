/**
 * The one client of the app. Against `npm run example` (local mode) the URL comes from Vite's
 * environment; against a deployed stack, pass the outputs file instead:
 * `createClient({ outputs, storage: localStorage })` with `import outputs from '../lambase.outputs.json'`.
 */
import { createClient } from '@lambase/client';

export const apiUrl: string = import.meta.env.VITE_LAMBASE_URL ?? 'http://127.0.0.1:4000';

/** The session in localStorage: every tab of the app is signed in together. */
export const client = createClient({ url: apiUrl, storage: localStorage });

/** Local mode keeps every email it "sent" (confirmation codes) in an outbox the developer can open. */
export const isLocal = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(new URL(apiUrl).origin);
export const outboxUrl = `${apiUrl}/_local/outbox`;
