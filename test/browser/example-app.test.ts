/**
 * The example app (examples/web) in real headless Chromium (Debian's `chromium`, driven by
 * playwright-core) against local mode, as a user would go through it: sign up → read the code
 * through the app's outbox link → confirm → a note created in one tab appears live in another →
 * an image uploaded with its preview shown → places near me, nearest first → a push from an admin
 * lands in the inbox live → sign out. Screenshots go to artifacts/screenshots/.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createClient, memoryStorage } from '../../client/src/index.js';
import { STRONG_PASSWORD, api, createUser, startTestBackend, uniqueEmail, type TestBackend } from '../fixtures/local-backend.js';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));
const viteConfig = path.join(projectRoot, 'examples/web/vite.config.ts');
const screenshots = path.join(projectRoot, 'artifacts/screenshots');
/** Debian's chromium (`apt-get install chromium`; .ci/run installs it), or CHROMIUM_PATH. */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The Eiffel Tower: where the browser says the user stands. */
const HERE = { lat: 48.8584, lng: 2.2945 };
/** First calls start each function's worker: generous on a busy 2-core machine. */
const SLOW = { timeout: 60_000 };

const admin = { email: uniqueEmail('admin'), password: STRONG_PASSWORD };
const user = { name: 'Grace Hopper', email: uniqueEmail('grace'), password: STRONG_PASSWORD };
let local: TestBackend;
let outDir: string;
let web: PreviewServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let appUrl: string;

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`No Chromium at ${chromiumPath}: apt-get install chromium (or set CHROMIUM_PATH)`);
  // The backend's own log lines (a function that failed, and why) show with a failing test.
  local = await startTestBackend({ admin, log: (line) => console.log(line) });
  outDir = await mkdtemp(path.join(os.tmpdir(), 'lambase-example-'));
  // The production build, pointed at this backend, served by Vite's preview server on 127.0.0.1.
  const define = { 'import.meta.env.VITE_LAMBASE_URL': JSON.stringify(local.url) };
  await build({ configFile: viteConfig, define, build: { outDir, emptyOutDir: true }, logLevel: 'error' });
  web = await preview({ configFile: viteConfig, build: { outDir }, preview: { port: 0, host: '127.0.0.1' }, logLevel: 'error' });
  appUrl = web.resolvedUrls?.local[0] ?? '';
  expect(appUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  await mkdir(screenshots, { recursive: true });
  browser = await chromium.launch({ executablePath: chromiumPath });
  context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    geolocation: { latitude: HERE.lat, longitude: HERE.lng },
    permissions: ['geolocation'],
  });
  // Waiting on elements (the default for every locator call): first calls start each function's worker.
  context.setDefaultTimeout(SLOW.timeout);
  page = await context.newPage();
}, 180_000);

// What the page showed when a step failed, next to the other screenshots.
afterEach(async ({ task }) => {
  if (task.result?.state === 'fail' && page) await shot(page, `failed-${task.name.replace(/\W+/g, '-')}`);
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (web ? web.httpServer.close(() => resolve()) : resolve()));
  await local?.cleanup();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** The page's localStorage, as much of it as the test reads (this file is compiled without the DOM library). */
type PageStorage = Record<string, string> & { getItem(key: string): string | null };

const shot = (target: Page, name: string) => target.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });

describe('the example app in Chromium', { timeout: 300_000 }, () => {
  it('signs up, confirms with the code from the outbox link, and signs in', async () => {
    await page.goto(appUrl);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill(user.name);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await shot(page, '01-sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await shot(page, '02-confirm');

    // The app links to local mode's outbox; a developer opens it and reads the code.
    const outboxHref = await page.getByRole('link', { name: 'Open the outbox' }).getAttribute('href');
    expect(outboxHref).toBe(`${local.url}/_local/outbox`);
    const outboxPage = await context.newPage();
    await outboxPage.goto(outboxHref!);
    const outbox = JSON.parse(await outboxPage.locator('body').innerText()) as { emails: { to: string; code?: string }[] };
    await outboxPage.close();
    const code = outbox.emails.findLast((mail) => mail.to === user.email)?.code;
    expect(code).toMatch(/^\d{6}$/);

    await page.getByLabel('Confirmation code').fill(code!);
    await page.getByRole('button', { name: 'Confirm and sign in' }).click();
    await page.locator('.user-email', { hasText: user.email }).waitFor();
    await page.getByRole('heading', { name: 'Notes' }).waitFor();
  });

  it('shows a note created in one tab live in another', async () => {
    const second = await context.newPage();
    await second.goto(`${appUrl}#/notes`);
    // Both tabs share the session (localStorage); wait until the second one's socket has subscribed.
    await second.locator('.live-dot:not(.connecting)').waitFor();
    await page.locator('.live-dot:not(.connecting)').waitFor();

    await page.getByLabel('Title', { exact: true }).fill('Buy oat milk');
    await page.getByLabel('Note', { exact: true }).fill('And the good coffee beans.');
    await page.getByRole('button', { name: 'Add note' }).click();
    const arrived = second.locator('.note', { hasText: 'Buy oat milk' });
    await arrived.waitFor();
    expect(await arrived.innerText()).toContain('And the good coffee beans.');

    // A change made in the second tab reaches the first.
    await arrived.getByRole('button', { name: 'Pin' }).click();
    await page.locator('.note.pinned', { hasText: 'Buy oat milk' }).waitFor();
    await shot(page, '03-notes');
    await shot(second, '04-notes-second-tab');
    await second.close();
  });

  it('uploads an image with a progress bar and shows its preview', async () => {
    await page.getByRole('link', { name: 'Files' }).click();
    // A real PNG: a picture of the app itself.
    const png = await page.screenshot({ clip: { x: 0, y: 0, width: 480, height: 320 } });
    await page.locator('#file-input').setInputFiles({ name: 'screen.png', mimeType: 'image/png', buffer: png });
    const preview = page.locator('img.preview[alt="screen.png"]');
    await preview.waitFor();
    // The browser fetched the bytes back from storage through the presigned URL.
    await expect.poll(() => preview.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth), SLOW).toBe(480);
    await shot(page, '05-files');
  });

  it('finds places near the browser position, nearest first, with distances', async () => {
    // Seeded through the API by another user: 600 m and 1.5 km away, and one 40 km away (out of range).
    const other = await createUser(local);
    const seed = createClient({ url: local.url, storage: memoryStorage() });
    await seed.auth.signIn({ email: other.email, password: STRONG_PASSWORD });
    const places = seed.collection('places');
    await places.create({ name: 'Trocadéro Gardens', category: 'park', location: { lat: HERE.lat + 0.0054, lng: HERE.lng } });
    await places.create({ name: 'Musée Rodin', category: 'museum', location: { lat: HERE.lat, lng: HERE.lng + 0.0205 } });
    await places.create({ name: 'Versailles', category: 'museum', location: { lat: 48.8049, lng: 2.1204 } });

    await page.getByRole('link', { name: 'Places' }).click();
    await page.getByRole('button', { name: 'Use my location' }).click();
    const names = page.locator('.place h3');
    await expect.poll(() => names.allInnerTexts(), SLOW).toEqual(['Trocadéro Gardens', 'Musée Rodin']);
    expect(await page.locator('.place .distance').allInnerTexts()).toEqual(['600 m', '1.5 km']);

    // A place added where the user stands comes first, at 0 m.
    await page.getByLabel('Name').fill('Café du Champ');
    await page.getByRole('button', { name: 'Add place' }).click();
    await expect.poll(() => names.allInnerTexts(), SLOW).toEqual(['Café du Champ', 'Trocadéro Gardens', 'Musée Rodin']);
    await shot(page, '06-places');
  });

  it('receives a notification in the inbox live, then signs out', async () => {
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.locator('.live-dot:not(.connecting)').waitFor();
    // The app keeps its session in localStorage; its user id names the recipient.
    const userId = await page.evaluate(() => {
      const { localStorage } = globalThis as unknown as { localStorage: PageStorage };
      const key = Object.keys(localStorage).find((name) => name.startsWith('lambase.session'));
      return (JSON.parse(localStorage.getItem(key ?? '') ?? '{}') as { user?: { userId?: string } }).user?.userId;
    });
    const adminSession = await api<{ accessToken: string }>(local.url, 'POST', '/auth/sign-in', { body: admin });
    const sent = await api(local.url, 'POST', '/push/send', {
      as: adminSession.body.accessToken,
      body: { to: { userIds: [userId] }, notification: { title: 'Welcome aboard', body: 'Your first notification, live.' } },
    });
    expect(sent.status).toBe(202);
    const item = page.locator('.notification.unread', { hasText: 'Welcome aboard' });
    await item.waitFor();
    // The badge counts what is unread (the backend's own functions may have written to the inbox too).
    await expect.poll(async () => (await page.locator('.badge').textContent()) === String(await page.locator('.notification.unread').count())).toBe(true);
    await shot(page, '07-inbox');
    await item.click();
    await page.locator('.notification.read', { hasText: 'Welcome aboard' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await shot(page, '08-signed-out');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { localStorage: PageStorage }).localStorage).filter((key) => key.startsWith('lambase.session')))).toEqual([]);
  });
});
