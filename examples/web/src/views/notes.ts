/** Private notes, kept in step across tabs and devices by the realtime socket. */
import { client } from '../backend.js';
import { ago, busy, formValues, h } from '../dom.js';
import { field } from './auth.js';

type Note = Awaited<ReturnType<ReturnType<typeof client.collection<'notes'>>['get']>>;

export function notesView(signal: AbortSignal): HTMLElement {
  const notes = client.collection('notes');
  const byId = new Map<string, Note>();
  // Turns green once the socket has subscribed: from then on, changes made elsewhere show up here.
  const live = h('span', { class: 'live-dot connecting', title: 'Connecting to live updates' }, 'connecting…');
  const list = h('ul', { class: 'note-list', 'aria-label': 'Notes' });
  const empty = h('p', { class: 'empty' }, 'No notes yet. Write the first one above — it appears in every open tab at once.');

  const render = () => {
    const sorted = [...byId.values()].sort((a, b) => Number(b.pinned) - Number(a.pinned) || b.createdAt.localeCompare(a.createdAt));
    list.replaceChildren(...sorted.map(noteItem));
    empty.hidden = sorted.length > 0;
  };

  const noteItem = (note: Note) => {
    const pin = h('button', { class: `icon ${note.pinned ? 'active' : ''}`, title: note.pinned ? 'Unpin' : 'Pin', 'aria-label': note.pinned ? 'Unpin' : 'Pin', 'aria-pressed': String(note.pinned) }, note.pinned ? '★' : '☆');
    pin.addEventListener('click', () => void busy(pin, async () => {
      remember(await notes.update(note.id, { pinned: !note.pinned }, { ifVersion: note.version }));
    }));
    const remove = h('button', { class: 'icon', title: 'Delete', 'aria-label': `Delete ${note.title}` }, '✕');
    remove.addEventListener('click', () => void busy(remove, async () => {
      await notes.delete(note.id);
      byId.delete(note.id);
      render();
    }));
    return h(
      'li',
      { class: `note card ${note.pinned ? 'pinned' : ''}`, dataset: { id: note.id } },
      h('div', { class: 'note-head' }, h('h3', {}, note.title), h('div', { class: 'actions' }, pin, remove)),
      note.body && h('p', {}, note.body),
      h('small', { class: 'muted' }, `${ago(note.updatedAt)} · v${note.version}`),
    );
  };

  const remember = (note: Note) => {
    // Changes can arrive from the socket before or after a call's own answer: keep the newest.
    const known = byId.get(note.id);
    if (!known || known.version <= note.version) byId.set(note.id, note);
    render();
  };

  const form = h(
    'form',
    { class: 'composer card', 'aria-label': 'New note' },
    field('Title', h('input', { name: 'title', required: true, maxLength: 200, placeholder: 'Groceries, an idea, a plan…' })),
    field('Note', h('textarea', { name: 'body', rows: 3, maxLength: 10_000, placeholder: 'Optional details' })),
    h('div', { class: 'row end' }, h('button', { type: 'submit', class: 'primary' }, 'Add note')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { title = '', body } = formValues(form);
    void busy(form, async () => {
      remember(await notes.create({ title, ...(body ? { body } : {}) }));
      form.reset();
    });
  });

  void (async () => {
    for await (const note of notes.iterate({ limit: 100 })) {
      if (signal.aborted) return;
      remember(note);
    }
    render();
    const stop = await notes.subscribe(undefined, (change) => {
      if (change.event === 'deleted') {
        byId.delete(change.document.id);
        render();
      } else if (change.truncated) void notes.get(change.document.id).then(remember);
      else remember(change.document);
    });
    live.classList.remove('connecting');
    live.textContent = 'live';
    live.title = 'Live: changes appear as they happen';
    if (signal.aborted) stop();
    else signal.addEventListener('abort', () => stop());
  })();

  return h('section', { class: 'page' }, h('header', { class: 'page-head' }, h('h2', {}, 'Notes'), live), form, empty, list);
}
