/**
 * Crash safety: `npm start` is SIGKILLed in the middle of writes (creates, updates, deletes and
 * sign-ups, eight at a time), then started again on the same data folder. Every write that got a
 * 2xx is there (and every acknowledged delete is gone), nothing is there twice, the dead
 * instance's lock on the folder is taken over, and no process of the killed one is left —
 * DynamoDB Local's Java included.
 *
 * In the cloud, DynamoDB acknowledges a write only once it is durable (written to more than one
 * Availability Zone); what this proves for the local emulators, SECURITY.md says for AWS.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { send } from '../harness/http.js';
import { processesMentioning, startLocalProcess, stopLocalProcess, waitFor, type LocalProcess } from '../harness/local-process.js';
import { testIn } from '../harness/security-test.js';
import { PASSWORD, signUpThroughApi, uniqueEmail } from '../harness/world.js';

const it = testIn('crash');
const WRITERS = 8;
/** Acknowledged writes before the kill: enough that the kill lands among writes in flight. */
const WRITES_BEFORE_KILL = 80;

/** `deleting`: a delete was sent and never answered (in flight at the kill): it may or may not have landed. */
type Note = { title: string; version: number; deleted: boolean; deleting?: boolean };

const dataDirs: string[] = [];
const running: LocalProcess[] = [];
afterAll(async () => {
  for (const local of running) if (local.child.exitCode === null && local.child.signalCode === null) local.child.kill('SIGKILL');
  for (const dataDir of dataDirs) {
    for (const { pid } of processesMentioning(dataDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await rm(dataDir, { recursive: true, force: true });
  }
});

describe('local mode killed in the middle of writes', () => {
  it('keeps every acknowledged write exactly once, recovers its lock, and leaves no process behind', async ({ tally }) => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-crash-'));
    dataDirs.push(dataDir);
    const first = await startLocalProcess(dataDir);
    running.push(first);
    const user = await signUpThroughApi(first.url, 'crash');

    // The client's log: what the server acknowledged, and nothing else.
    const notes = new Map<string, Note>();
    const signUps: string[] = [];
    let acknowledged = 0;
    let serial = 0;
    let inFlightAtKill = 0;
    let inFlight = 0;
    let killed = false;

    const writer = async (index: number) => {
      const mine: string[] = [];
      for (let step = 0; !killed; step++) {
        const kind = step % 10 === 9 ? 'sign-up' : mine.length < 3 || step % 3 === 0 ? 'create' : step % 3 === 1 ? 'update' : 'delete';
        inFlight += 1;
        try {
          if (kind === 'sign-up') {
            const email = uniqueEmail(`crash-${index}`);
            const response = await send(first.url, { method: 'POST', path: '/auth/sign-up', body: { email, password: PASSWORD } });
            if (response.status === 201) signUps.push(email);
          } else if (kind === 'create') {
            const title = `note ${index}-${serial++}`;
            const response = await send(first.url, { method: 'POST', path: '/data/notes', token: user.accessToken, body: { title } });
            if (response.status !== 201) throw new Error(`create: ${response.status} ${response.text}`);
            const { id, version } = response.json as { id: string; version: number };
            notes.set(id, { title, version, deleted: false });
            mine.push(id);
          } else {
            // Each writer changes only its own notes, so every acknowledged version is the latest.
            const id = mine[step % mine.length]!;
            const note = notes.get(id)!;
            if (kind === 'update') {
              const title = `${note.title} v${note.version + 1}`;
              const response = await send(first.url, { method: 'PATCH', path: `/data/notes/${id}`, token: user.accessToken, headers: { 'if-match': `"${note.version}"` }, body: { title } });
              if (response.status !== 200) throw new Error(`update: ${response.status} ${response.text}`);
              notes.set(id, { title, version: (response.json as { version: number }).version, deleted: false });
            } else {
              notes.set(id, { ...note, deleting: true });
              const response = await send(first.url, { method: 'DELETE', path: `/data/notes/${id}`, token: user.accessToken });
              if (response.status !== 204) throw new Error(`delete: ${response.status} ${response.text}`);
              notes.set(id, { ...note, deleted: true, deleting: false });
              mine.splice(mine.indexOf(id), 1);
            }
          }
          acknowledged += 1;
          if (acknowledged === WRITES_BEFORE_KILL && !killed) {
            killed = true;
            inFlightAtKill = inFlight - 1;
            first.child.kill('SIGKILL');
          }
        } catch (error) {
          // Once the server is gone, unanswered writes are the client's to retry; before, a refusal is a failure.
          if (!killed) throw error;
        } finally {
          inFlight -= 1;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
    expect(await first.exited).toBe(null);

    // The killed instance's children notice their parent is gone (DynamoDB Local's watchdog reads
    // end-of-file on its pipe): nothing of it may be left on the data folder.
    const killedAt = Date.now();
    await waitFor(() => processesMentioning(dataDir).length === 0, 20_000, 'the killed instance\'s processes to exit').catch(() => undefined);
    expect(processesMentioning(dataDir), 'processes left by the killed instance').toEqual([]);
    tally.figure('seconds until no orphan', (Date.now() - killedAt) / 1000);
    const staleLock = JSON.parse(await readFile(path.join(dataDir, '.lock'), 'utf8')) as { pid: number };
    expect(staleLock.pid, 'the dead instance\'s lock is still on the folder').toBe(first.child.pid);

    const second = await startLocalProcess(dataDir);
    running.push(second);
    expect((JSON.parse(await readFile(path.join(dataDir, '.lock'), 'utf8')) as { pid: number }).pid, 'the lock, taken over').not.toBe(first.child.pid);
    const signedIn = await send(second.url, { method: 'POST', path: '/auth/sign-in', body: { email: user.email, password: user.password } });
    expect(signedIn.status).toBe(200);
    const token = (signedIn.json as { accessToken: string }).accessToken;

    let lost = 0;
    for (const [id, note] of notes) {
      const read = await send(second.url, { method: 'GET', path: `/data/notes/${id}`, token });
      tally.status(read.status);
      if (note.deleted) {
        if (read.status !== 404) lost += 1;
        expect(read.status, `acknowledged delete of ${id}`).toBe(404);
        continue;
      }
      // A delete in flight at the kill may have landed: gone or still there, both are right.
      if (note.deleting && read.status === 404) continue;
      const stored = read.json as { title: string; version: number };
      if (read.status !== 200 || stored.version < note.version) lost += 1;
      expect(read.status, `acknowledged ${note.title}`).toBe(200);
      // A write in flight at the kill may have landed after the last acknowledged one.
      expect(stored.version).toBeGreaterThanOrEqual(note.version);
      if (stored.version === note.version) expect(stored.title).toBe(note.title);
    }
    for (const email of signUps) {
      // An account that exists but is not confirmed: 403, where an unknown one is 401.
      const attempt = await send(second.url, { method: 'POST', path: '/auth/sign-in', body: { email, password: PASSWORD } });
      tally.status(attempt.status);
      if (attempt.status !== 403) lost += 1;
      expect(attempt.status, `acknowledged sign-up of ${email}`).toBe(403);
    }

    const titles: string[] = [];
    for (let cursor: string | null = null, first = true; first || cursor; first = false) {
      const page = await send(second.url, { method: 'GET', path: `/data/notes?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token });
      expect(page.status).toBe(200);
      const body = page.json as { items: { title: string }[]; nextCursor: string | null };
      titles.push(...body.items.map((item) => item.title.replace(/ v\d+$/, '').replace(/( v\d+)+$/, '')));
      cursor = body.nextCursor;
    }
    const duplicated = titles.length - new Set(titles).size;
    tally.figure('acknowledged writes', acknowledged);
    tally.figure('in flight at the kill', inFlightAtKill);
    tally.figure('lost', lost);
    tally.figure('duplicated', duplicated);
    expect(duplicated, 'notes there twice').toBe(0);
    expect(lost).toBe(0);

    expect(await stopLocalProcess(second, dataDir)).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
