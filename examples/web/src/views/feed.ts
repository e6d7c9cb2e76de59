/** The public feed: everyone reads it (signed in or not), anyone signed in posts; filter by category. */
import { client } from '../backend.js';
import { ago, busy, formValues, h } from '../dom.js';
import { field } from './auth.js';

const CATEGORIES = ['news', 'events', 'help', 'showcase'];
type Post = Awaited<ReturnType<ReturnType<typeof client.collection<'posts'>>['get']>>;

export function feedView(signal: AbortSignal): HTMLElement {
  const posts = client.collection('posts');
  const list = h('ul', { class: 'post-list', 'aria-label': 'Posts' });
  let category = '';

  const load = async () => {
    // A category is served by the `byCategory` index, newest first; without one, the whole feed.
    const page = category ? await posts.query({ where: { category }, orderBy: 'createdAt', limit: 30 }) : await posts.list({ limit: 30 });
    if (signal.aborted) return;
    list.replaceChildren(...(page.items.length ? page.items.map(postItem) : [h('li', { class: 'empty' }, category ? `Nothing in “${category}” yet.` : 'The feed is empty. Say hello!')]));
  };

  const chips = h(
    'div',
    { class: 'chips', role: 'group', 'aria-label': 'Category' },
    ['', ...CATEGORIES].map((name) =>
      h('button', { type: 'button', class: `chip ${name === category ? 'active' : ''}`, dataset: { category: name }, onclick: () => {
        category = name;
        for (const chip of chips.querySelectorAll<HTMLButtonElement>('.chip')) chip.classList.toggle('active', chip.dataset.category === name);
        void load();
      } }, name || 'All'),
    ),
  );

  const form = h(
    'form',
    { class: 'composer card', 'aria-label': 'New post' },
    field('Title', h('input', { name: 'title', required: true, maxLength: 200, placeholder: 'What is new?' })),
    field('Text', h('textarea', { name: 'body', rows: 2, maxLength: 20_000 })),
    h(
      'div',
      { class: 'row between' },
      h('select', { name: 'category', 'aria-label': 'Category' }, CATEGORIES.map((name) => h('option', { value: name }, name))),
      h('button', { type: 'submit', class: 'primary' }, 'Publish'),
    ),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { title = '', body, category: chosen } = formValues(form);
    void busy(form, async () => {
      await posts.create({ title, published: true, ...(body ? { body } : {}), ...(chosen ? { category: chosen } : {}) });
      form.reset();
      await load();
    });
  });

  void load();
  return h('section', { class: 'page' }, h('header', { class: 'page-head' }, h('h2', {}, 'Feed')), form, chips, list);
}

function postItem(post: Post): HTMLElement {
  return h(
    'li',
    { class: 'post card' },
    h('div', { class: 'post-meta' }, post.category && h('span', { class: 'tag' }, post.category), h('small', { class: 'muted' }, ago(post.createdAt))),
    h('h3', {}, post.title),
    post.body && h('p', {}, post.body),
  );
}
