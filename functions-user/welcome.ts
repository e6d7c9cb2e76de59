/**
 * welcome: when a user confirms their sign-up, a notification in their inbox.
 * lambase.config.ts: `welcome: { handler: './functions-user/welcome.ts', on: 'userSignedUp', uses: ['notifications'] }`
 */
import { defineFunction } from 'lambase/functions';

export const handler = defineFunction<'welcome'>(async (event, ctx) => {
  const name = event.user.name ?? event.user.email.split('@')[0];
  await ctx.notifications.send({
    userIds: [event.user.userId],
    notification: { title: `Welcome, ${name}!`, body: 'Your account is ready. Start with a note.', data: { kind: 'welcome' } },
  });
});
