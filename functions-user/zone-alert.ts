/**
 * zone-alert: when a user's reported location enters a zone, a notification in their inbox
 * naming the zone.
 * lambase.config.ts: `'zone-alert': { handler: './functions-user/zone-alert.ts', on: { event: 'geofenceEntered', collection: 'zones' }, uses: ['notifications'] }`
 */
import { defineFunction } from 'lambase/functions';

export const handler = defineFunction<'zone-alert'>(async (event, ctx) => {
  // `fence` is null only when the zone did not fit in the event (zones are small); its id is kept.
  const zone = event.fence?.name ?? 'a zone';
  await ctx.notifications.send({
    userIds: [event.userId],
    notification: { title: `You entered ${zone}`, body: 'Your location is inside this zone.', data: { kind: 'zoneEntered', zoneId: event.fenceId } },
  });
});
