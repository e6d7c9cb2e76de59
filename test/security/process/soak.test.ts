/**
 * Load held: `npm start` as a process of its own, 20 connections for a bounded time doing mixed
 * creates, updates, deletes, reads and queries for 10 users. No answer is a 5xx, and afterwards the
 * store is reconciled against the client's log: every acknowledged write is there exactly once (the
 * latest acknowledged version of it), every acknowledged delete is unreadable and unlisted, and no
 * user sees a note they did not create.
 *
 * The duration is a knob (LAMBASE_SOAK_SECONDS, default 20 s so the suite stays short; SECURITY.md
 * gives the figures of a 60 s run). Speed is printed, never asserted: targets belong in `npm run bench`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { send, type Request, type Response } from '../harness/http.js';
import { processesMentioning, startLocalProcess, stopLocalProcess, type LocalProcess } from '../harness/local-process.js';
import { testIn } from '../harness/security-test.js';
import { signUpThroughApi } from '../harness/world.js';

const it = testIn('load');
const SECONDS = Number(process.env.LAMBASE_SOAK_SECONDS ?? 20);
const CONNECTIONS = Number(process.env.LAMBASE_SOAK_CONNECTIONS ?? 20);
const USERS = 10;

type User = { email: string; password: string; accessToken: string; userId: string };
/** What the client knows a note to be, from the answers it got (and only those). */
type Note = { owner: number; title: string; version: number; deleted: boolean };

let dataDir: string;
let local: LocalProcess;
const users: User[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-soak-'));
  local = await startLocalProcess(dataDir);
  try {
    for (let index = 0; index < USERS; index++) users.push(await signUpThroughApi(local.url, `soak-${index}`));
  } catch (error) {
    // What local mode said about it (a function's error or timeout) is the useful part.
    throw new Error(`${(error as Error).message}\nlocal mode said:\n${local.output().slice(-3000)}`);
  }
});

afterAll(async () => {
  if (local) await stopLocalProcess(local, dataDir);
  expect(processesMentioning(dataDir)).toEqual([]);
  await rm(dataDir, { recursive: true, force: true });
});

describe(`${CONNECTIONS} connections for ${SECONDS} s against local mode`, () => {
  it('answers no 5xx and loses, duplicates or resurrects no acknowledged write', async ({ tally }) => {
    const notes = new Map<string, Note>();
    const latencies: number[] = [];
    const unexpected: string[] = [];
    let serial = 0;

    const call = async (request: Request, expected: number): Promise<Response> => {
      const started = performance.now();
      const response = await send(local.url, request);
      latencies.push(performance.now() - started);
      tally.status(response.status);
      if (response.status !== expected) unexpected.push(`${request.method} ${request.path.split('?')[0]} → ${response.status} ${response.text.slice(0, 200)}`);
      return response;
    };

    const worker = async (connection: number, deadline: number) => {
      const owner = connection % USERS;
      const token = users[owner]!.accessToken;
      // Each connection changes only the notes it created, so its log knows every note's latest version.
      const mine: string[] = [];
      for (let step = 0; Date.now() < deadline; step++) {
        const roll = (step * 7 + connection) % 10;
        if (mine.length < 2 || roll < 3) {
          const title = `soak ${connection}-${serial++}`;
          const response = await call({ method: 'POST', path: '/data/notes', token, body: { title, tags: [`c${connection}`] } }, 201);
          if (response.status !== 201) continue;
          const { id, version } = response.json as { id: string; version: number };
          notes.set(id, { owner, title, version, deleted: false });
          mine.push(id);
        } else if (roll < 6) {
          const id = mine[step % mine.length]!;
          const note = notes.get(id)!;
          const title = `${note.title.split(' v')[0]} v${note.version + 1}`;
          const response = await call({ method: 'PATCH', path: `/data/notes/${id}`, token, headers: { 'if-match': `"${note.version}"` }, body: { title } }, 200);
          if (response.status === 200) notes.set(id, { ...note, title, version: (response.json as { version: number }).version });
        } else if (roll < 7) {
          const id = mine.splice(step % mine.length, 1)[0]!;
          const response = await call({ method: 'DELETE', path: `/data/notes/${id}`, token }, 204);
          if (response.status === 204) notes.set(id, { ...notes.get(id)!, deleted: true });
        } else if (roll < 9) {
          const id = mine[step % mine.length]!;
          await call({ method: 'GET', path: `/data/notes/${id}`, token }, 200);
        } else {
          await call({ method: 'GET', path: '/data/notes?limit=20', token }, 200);
        }
      }
    };

    const started = Date.now();
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, connection) => worker(connection, started + SECONDS * 1000)));
    const elapsed = (Date.now() - started) / 1000;
    const requests = latencies.length;
    const fiveHundreds = unexpected.filter((line) => / → 5\d\d /.test(line));
    expect(fiveHundreds, '5xx answers').toEqual([]);
    expect(unexpected, 'answers other than the one each request should get').toEqual([]);

    // Reconciliation: each user's list against the log, then every note the log knows read back.
    let lost = 0;
    let duplicated = 0;
    let resurrected = 0;
    let foreign = 0;
    for (const [owner, user] of users.entries()) {
      const listed = new Map<string, number>();
      for (let cursor: string | null = null, first = true; first || cursor; first = false) {
        const page = await send(local.url, { method: 'GET', path: `/data/notes?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, token: user.accessToken });
        expect(page.status).toBe(200);
        const body = page.json as { items: { id: string }[]; nextCursor: string | null };
        for (const item of body.items) listed.set(item.id, (listed.get(item.id) ?? 0) + 1);
        cursor = body.nextCursor;
      }
      for (const [id, count] of listed) {
        const note = notes.get(id);
        if (count > 1) duplicated += count - 1;
        if (!note || note.owner !== owner) foreign += 1;
        else if (note.deleted) resurrected += 1;
      }
      for (const [id, note] of notes) {
        if (note.owner === owner && !note.deleted && !listed.has(id)) lost += 1;
      }
    }
    for (const [id, note] of notes) {
      const read = await send(local.url, { method: 'GET', path: `/data/notes/${id}`, token: users[note.owner]!.accessToken });
      if (note.deleted) {
        if (read.status !== 404) resurrected += 1;
        continue;
      }
      const stored = read.json as { title: string; version: number } | undefined;
      if (read.status !== 200 || stored?.version !== note.version || stored.title !== note.title) lost += 1;
    }

    const sorted = [...latencies].sort((a, b) => a - b);
    const percentile = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
    tally.figure('seconds', elapsed);
    tally.figure('requests', requests);
    tally.figure('req/s', requests / elapsed);
    tally.figure('p50 ms', percentile(50));
    tally.figure('p99 ms', percentile(99));
    tally.figure('writes acknowledged', [...notes.values()].reduce((sum, note) => sum + note.version + (note.deleted ? 1 : 0), 0));
    tally.figure('lost', lost);
    tally.figure('duplicated', duplicated);
    tally.figure('deleted but readable', resurrected);
    tally.figure('foreign', foreign);
    expect({ lost, duplicated, resurrected, foreign }).toEqual({ lost: 0, duplicated: 0, resurrected: 0, foreign: 0 });
    expect(requests, 'the soak made requests').toBeGreaterThan(CONNECTIONS);
  });
});
