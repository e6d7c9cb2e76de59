/** Sign in, create an account, confirm it with the emailed code (locally: from the outbox). */
import { LambaseError } from '@lambase/client';
import { client, isLocal, outboxUrl } from '../backend.js';
import { busy, formValues, h, toast } from '../dom.js';

type Step = { kind: 'sign-in' } | { kind: 'sign-up' } | { kind: 'confirm'; email: string; password: string };

export function authView(): HTMLElement {
  const card = h('section', { class: 'auth-card card' });
  const render = (step: Step) => card.replaceChildren(...content(step, render));
  render({ kind: 'sign-in' });
  return h(
    'main',
    { class: 'auth-screen' },
    h('div', { class: 'auth-intro' }, h('div', { class: 'logo' }, 'F'), h('h1', {}, 'Fieldnotes'), h('p', {}, 'Notes, a public feed, files and places — a frontend on Lambase, nothing else.')),
    card,
  );
}

function content(step: Step, go: (step: Step) => void): Node[] {
  if (step.kind === 'confirm') return confirmStep(step, go);
  const signingUp = step.kind === 'sign-up';
  const form = h(
    'form',
    { class: 'stack', 'aria-label': signingUp ? 'Create account' : 'Sign in' },
    signingUp && field('Name', h('input', { name: 'name', autocomplete: 'name', placeholder: 'Ada Lovelace' })),
    field('Email', h('input', { name: 'email', type: 'email', required: true, autocomplete: 'email', placeholder: 'you@example.com' })),
    field(
      'Password',
      h('input', { name: 'password', type: 'password', required: true, minLength: 8, autocomplete: signingUp ? 'new-password' : 'current-password' }),
      signingUp ? 'At least 8 characters, with upper and lower case, a digit and a symbol.' : undefined,
    ),
    h('button', { type: 'submit', class: 'primary wide' }, signingUp ? 'Create account' : 'Sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const { name, email = '', password = '' } = formValues(form);
    void busy(form, async () => {
      if (signingUp) {
        await client.auth.signUp({ email, password, ...(name ? { name } : {}) });
        go({ kind: 'confirm', email, password });
        return;
      }
      try {
        const { challenge } = await client.auth.signIn({ email, password });
        if (challenge) toast(`This account asks for ${challenge.name}: finish it in another client.`, 'error');
      } catch (error) {
        if (error instanceof LambaseError && error.code === 'UserNotConfirmed') go({ kind: 'confirm', email, password });
        else throw error;
      }
    });
  });
  return [
    h('h2', {}, signingUp ? 'Create your account' : 'Welcome back'),
    form,
    h(
      'p',
      { class: 'muted center' },
      signingUp ? 'Already have an account? ' : 'New here? ',
      h('button', { type: 'button', class: 'link', onclick: () => go({ kind: signingUp ? 'sign-in' : 'sign-up' }) }, signingUp ? 'Sign in' : 'Create an account'),
    ),
  ];
}

function confirmStep(step: { email: string; password: string }, go: (step: Step) => void): Node[] {
  const form = h(
    'form',
    { class: 'stack', 'aria-label': 'Confirm account' },
    field('Confirmation code', h('input', { name: 'code', required: true, inputMode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', placeholder: '123456' })),
    h('button', { type: 'submit', class: 'primary wide' }, 'Confirm and sign in'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      await client.auth.confirmSignUp({ email: step.email, code: formValues(form).code ?? '' });
      await client.auth.signIn({ email: step.email, password: step.password });
    });
  });
  const resend = h('button', { type: 'button', class: 'link' }, 'Send a new code');
  resend.addEventListener('click', () => void busy(resend, async () => {
    await client.auth.resendConfirmation({ email: step.email });
    toast('A new code is on its way.');
  }));
  return [
    h('h2', {}, 'Check your email'),
    h('p', { class: 'muted' }, 'We sent a 6-digit code to ', h('strong', {}, step.email), '.'),
    ...(isLocal
      ? [
          h(
            'p',
            { class: 'hint' },
            'Running locally: no email leaves your machine. ',
            h('a', { href: outboxUrl, target: '_blank', rel: 'noopener', class: 'outbox-link' }, 'Open the outbox'),
            ' to read the code.',
          ),
        ]
      : []),
    form,
    h('p', { class: 'muted center' }, resend, ' · ', h('button', { type: 'button', class: 'link', onclick: () => go({ kind: 'sign-in' }) }, 'Back to sign in')),
  ];
}

export function field(label: string, input: HTMLElement, help?: string): HTMLElement {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, help && h('small', { class: 'muted' }, help));
}
