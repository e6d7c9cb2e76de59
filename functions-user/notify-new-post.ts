/**
 * notify-new-post: when a post is created already published, a push to everyone following the
 * topic `posts` (and a notification in their inboxes).
 * lambase.config.ts: `on: { event: 'documentCreated', collection: 'posts', where: { published: true } }, uses: ['push']`
 */
import { defineFunction } from 'lambase/functions';

export const handler = defineFunction<'notify-new-post'>(async (event, ctx) => {
  const post = event.document;
  await ctx.push.send({
    to: { topic: 'posts' },
    notification: { title: 'New post', body: post.title, data: { postId: post.id } },
  });
  ctx.logger.info('announced a post', { postId: post.id });
});
