/** The notification inbox: newest first, live over the realtime socket, read on click. */
import type { InboxNotification } from '@lambase/client';
import { client } from '../backend.js';
import { ago, busy, h } from '../dom.js';

export function inboxView(signal: AbortSignal, onUnread: (count: number) => void): HTMLElement {
  const items = new Map<string, InboxNotification>();
  // Turns green once the socket has subscribed: from then on, changes made elsewhere show up here.
  const live = h('span', { class: 'live-dot connecting', title: 'Connecting to live updates' }, 'connecting…');
  const list = h('ul', { class: 'inbox-list', 'aria-label': 'Notifications' });

  const render = () => {
    const sorted = [...items.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    onUnread(sorted.filter((item) => !item.read).length);
    list.replaceChildren(...(sorted.length ? sorted.map(entry) : [h('li', { class: 'empty' }, 'All quiet. Notifications land here as they are sent.')]));
  };

  const entry = (item: InboxNotification) => {
    const row = h(
      'li',
      { class: `notification card ${item.read ? 'read' : 'unread'}`, tabIndex: 0 },
      h('div', { class: 'grow' }, h('h3', {}, item.title), h('p', {}, item.body)),
      h('small', { class: 'muted' }, ago(item.createdAt)),
    );
    if (!item.read)
      row.addEventListener('click', () => void busy(h('button'), async () => {
        await client.notifications.markRead(item.notificationId);
        items.set(item.notificationId, { ...item, read: true });
        render();
      }));
    return row;
  };

  void (async () => {
    const page = await client.notifications.list({ limit: 50, signal });
    for (const item of page.items) items.set(item.notificationId, item);
    render();
    const stop = await client.notifications.subscribe((item) => {
      items.set(item.notificationId, item);
      render();
    });
    live.classList.remove('connecting');
    live.textContent = 'live';
    live.title = 'Live: changes appear as they happen';
    if (signal.aborted) stop();
    else signal.addEventListener('abort', () => stop());
  })();

  return h('section', { class: 'page' }, h('header', { class: 'page-head' }, h('h2', {}, 'Inbox'), live), list);
}
