/**
 * The few DOM calls the views share: build an element tree in one expression, and show a toast.
 * The example stays framework-free so that what it shows is the client, not a UI library.
 */
type Child = Node | string | number | false | null | undefined;
type Props = Record<string, unknown> & { class?: string; dataset?: Record<string, string> };

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key === 'class') element.className = String(value);
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') element.addEventListener(key.slice(2), value as EventListener);
    else if (key in element && key !== 'list') (element as unknown as Record<string, unknown>)[key] = value;
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** A short message at the bottom of the screen; errors stay until dismissed. */
export function toast(message: string, kind: 'info' | 'error' = 'info'): void {
  const region = document.getElementById('toasts') ?? document.body.appendChild(h('div', { id: 'toasts', role: 'status' }));
  const item = h('div', { class: `toast toast-${kind}` }, message, h('button', { class: 'toast-close', 'aria-label': 'Dismiss', onclick: () => item.remove() }, '×'));
  region.append(item);
  if (kind === 'info') setTimeout(() => item.remove(), 3500);
}

/** The form's fields by name, as strings. */
export function formValues(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries([...new FormData(form)].map(([key, value]) => [key, typeof value === 'string' ? value.trim() : '']));
}

/** "3 min ago", "yesterday"… in the browser's language. */
export function ago(iso: string): string {
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return format.format(Math.round(value), unit);
    value /= size;
  }
  return format.format(Math.round(value), 'year');
}

/** Runs an action from a button or form, disabling it meanwhile and showing any failure. */
export async function busy(control: HTMLButtonElement | HTMLFormElement, action: () => Promise<void>): Promise<void> {
  const button = control instanceof HTMLFormElement ? control.querySelector<HTMLButtonElement>('button[type=submit]') : control;
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    toast(error instanceof Error ? error.message : String(error), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}
