/**
 * Fieldnotes, a frontend on Lambase: the signed-out screen, or the app's shell with five pages
 * (hash routes, so any static host serves it). Each page gets an AbortSignal that ends its
 * requests and live subscriptions when you leave it.
 */
import './styles.css';
import type { Session } from '@lambase/client';
import { client } from './backend.js';
import { h, toast } from './dom.js';
import { authView } from './views/auth.js';
import { feedView } from './views/feed.js';
import { filesView } from './views/files.js';
import { inboxView } from './views/inbox.js';
import { notesView } from './views/notes.js';
import { placesView } from './views/places.js';

const root = document.getElementById('app')!;
const pages = {
  notes: { title: 'Notes', icon: '✎', view: notesView },
  feed: { title: 'Feed', icon: '☰', view: feedView },
  files: { title: 'Files', icon: '⬆', view: filesView },
  places: { title: 'Places', icon: '◎', view: placesView },
  inbox: { title: 'Inbox', icon: '✉', view: (signal: AbortSignal) => inboxView(signal, showUnread) },
} as const;
type PageName = keyof typeof pages;

let leavePage = new AbortController();
let leaveShell = new AbortController();
let unread = 0;

function showUnread(count: number): void {
  unread = count;
  const badge = document.querySelector<HTMLElement>('.badge');
  if (badge) {
    badge.textContent = String(count);
    badge.hidden = count === 0;
  }
}

function currentPage(): PageName {
  const name = location.hash.replace(/^#\/?/, '');
  return name in pages ? (name as PageName) : 'notes';
}

function renderShell(session: Session): void {
  leaveShell.abort();
  leaveShell = new AbortController();
  const content = h('div', { class: 'content' });
  const nav = h(
    'nav',
    { class: 'nav', 'aria-label': 'Sections' },
    Object.entries(pages).map(([name, page]) =>
      h('a', { href: `#/${name}`, class: 'nav-link', dataset: { page: name } }, h('span', { class: 'nav-icon', 'aria-hidden': 'true' }, page.icon), page.title, name === 'inbox' && h('span', { class: 'badge', hidden: true }, '0')),
    ),
  );
  const signOut = h('button', { type: 'button', class: 'ghost', onclick: () => void client.auth.signOut().catch((error: unknown) => toast(String(error), 'error')) }, 'Sign out');
  root.replaceChildren(
    h(
      'div',
      { class: 'shell' },
      h(
        'aside',
        { class: 'sidebar' },
        h('div', { class: 'brand' }, h('div', { class: 'logo small' }, 'F'), 'Fieldnotes'),
        nav,
        h('div', { class: 'account' }, h('div', { class: 'avatar', 'aria-hidden': 'true' }, session.user.email.slice(0, 1).toUpperCase()), h('div', { class: 'who' }, h('strong', { class: 'user-email' }, session.user.email), signOut)),
      ),
      content,
    ),
  );
  const show = () => {
    leavePage.abort();
    leavePage = new AbortController();
    const name = currentPage();
    for (const link of nav.querySelectorAll<HTMLAnchorElement>('.nav-link')) link.classList.toggle('active', link.dataset.page === name);
    content.replaceChildren(pages[name].view(leavePage.signal));
    document.title = `${pages[name].title} · Fieldnotes`;
  };
  window.addEventListener('hashchange', show, { signal: leaveShell.signal });
  show();
  void watchUnread(leaveShell.signal);
}

/** The badge on "Inbox" counts unread notifications, and grows as new ones arrive. */
async function watchUnread(signal: AbortSignal): Promise<void> {
  const page = await client.notifications.list({ limit: 50, signal });
  showUnread(page.items.filter((item) => !item.read).length);
  const stop = await client.notifications.subscribe((item) => {
    // The inbox page counts for itself while it is open.
    if (currentPage() === 'inbox') return;
    toast(`New: ${item.title}`);
    showUnread(unread + 1);
  });
  if (signal.aborted) stop();
  else signal.addEventListener('abort', () => stop());
}

client.auth.onAuthStateChange((event, session) => {
  if (event === 'TOKEN_REFRESHED') return;
  if (session) renderShell(session);
  else {
    leavePage.abort();
    leaveShell.abort();
    root.replaceChildren(authView());
  }
});
