/**
 * Local mode's acceptance, exactly as a new user would try it with curl after `npm start`:
 * sign up, read the code from the outbox, confirm, sign in, create and read a note, ask for an
 * upload, POST a file to the presigned form, and see it become `ready`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, startTestBackend, uniqueEmail, uploadFile, type TestBackend } from '../fixtures/local-backend.js';

let local: TestBackend;
beforeAll(async () => {
  local = await startTestBackend();
});
afterAll(() => local?.cleanup());

it('a first session: sign-up → outbox code → confirm → sign-in → note → upload → ready', async () => {
  const email = uniqueEmail('first');
  const password = 'Correct-Horse-9-Battery';
  const signUp = await api(local.url, 'POST', '/auth/sign-up', { body: { email, password } });
  expect(signUp).toMatchObject({ status: 201, body: { email, confirmed: false } });

  const outbox = await api<{ emails: { to: string; code?: string }[] }>(local.url, 'GET', '/_local/outbox');
  const code = outbox.body.emails.findLast((mail) => mail.to === email)?.code;
  expect(code).toMatch(/^\d{6}$/);
  expect((await api(local.url, 'POST', '/auth/confirm-sign-up', { body: { email, code } })).status).toBe(204);

  const signIn = await api<{ accessToken: string; tokenType: string }>(local.url, 'POST', '/auth/sign-in', { body: { email, password } });
  expect(signIn).toMatchObject({ status: 200, body: { tokenType: 'Bearer' } });
  const token = signIn.body.accessToken;

  const note = await api<{ id: string }>(local.url, 'POST', '/data/notes', { as: token, body: { title: 'My first note' } });
  expect(note.status).toBe(201);
  expect((await api(local.url, 'GET', `/data/notes/${note.body.id}`, { as: token })).body).toMatchObject({ title: 'My first note' });

  const bytes = new TextEncoder().encode('hello from the first session');
  const file = await uploadFile(local, token, bytes);
  expect(file).toMatchObject({ status: 'ready', size: bytes.length, contentType: 'text/plain' });
  const download = await fetch(file.downloadUrl!);
  expect(new Uint8Array(await download.arrayBuffer())).toEqual(bytes);
});
