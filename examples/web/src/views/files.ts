/** Uploads with a progress bar, straight to storage (a presigned POST), and image previews. */
import type { FileInfo } from '@lambase/client';
import { client } from '../backend.js';
import { ago, busy, h, toast } from '../dom.js';

export function filesView(signal: AbortSignal): HTMLElement {
  const grid = h('ul', { class: 'file-grid', 'aria-label': 'Files' });
  const progress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const percent = h('span', { class: 'muted' });
  const input = h('input', { type: 'file', accept: 'image/*,application/pdf,text/plain', id: 'file-input', class: 'visually-hidden' });

  const tile = (file: FileInfo, url?: string | null) =>
    h(
      'li',
      { class: 'file card', dataset: { fileId: file.fileId } },
      file.contentType.startsWith('image/') && url
        ? h('img', { src: url, alt: file.name, class: 'preview', loading: 'lazy' })
        : h('div', { class: 'file-icon' }, file.contentType.split('/')[1]?.toUpperCase() ?? 'FILE'),
      h('div', { class: 'file-name', title: file.name }, file.name),
      h('small', { class: 'muted' }, `${formatSize(file.size)} · ${ago(file.createdAt)}`),
    );

  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (!file) return;
    void busy(upload, async () => {
      progress.hidden = false;
      const stored = await client.files.upload(file, {
        signal,
        onProgress: ({ loaded, total }) => {
          progress.value = total ? loaded / total : 0;
          percent.textContent = `${Math.round(progress.value * 100)} %`;
        },
      });
      grid.querySelector('.empty')?.remove();
      grid.prepend(tile(stored, stored.downloadUrl));
      toast(`${stored.name} uploaded.`);
    }).finally(() => {
      progress.hidden = true;
      percent.textContent = '';
      input.value = '';
    });
  });
  const upload = h('button', { type: 'button', class: 'primary', onclick: () => input.click() }, 'Upload a file');

  void (async () => {
    const { items } = await client.files.list({ limit: 24, signal });
    const ready = items.filter((file) => file.status === 'ready');
    // Previews need a presigned URL each: ask for the images' URLs together.
    const urls = await Promise.all(ready.map((file) => (file.contentType.startsWith('image/') ? client.files.downloadUrl(file.fileId, { signal }) : null)));
    grid.replaceChildren(...(ready.length ? ready.map((file, i) => tile(file, urls[i])) : [h('li', { class: 'empty' }, 'Images, PDFs and text files up to 10 MB.')]));
  })().catch((error: unknown) => signal.aborted || toast(String(error), 'error'));

  return h(
    'section',
    { class: 'page' },
    h('header', { class: 'page-head' }, h('h2', {}, 'Files')),
    h('div', { class: 'card uploader' }, input, upload, h('div', { class: 'progress-row' }, progress, percent)),
    grid,
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
