/** `client.push` and `client.notifications`: devices, topics, sending, and the inbox (docs/api/push.md). */
import type { Device, InboxNotification, Page, PageOptions, PushDeliveries, PushMessage, PushPlatform, PushTarget } from './api-types.js';
import type { Core } from './core.js';
import type { CallOptions } from './http.js';
import type { SubscribeOptions, Unsubscribe } from './realtime.js';

type ListOptions = PageOptions & CallOptions;
const pageQuery = (options: ListOptions) => ({ limit: options.limit, cursor: options.cursor });

export type PushService = ReturnType<typeof createPush>;

/**
 * The push service of a hand-composed client (`client.push` on a full one).
 *
 * @example
 * const push = createPush(createCore({ url }));
 */
export function createPush(core: Core) {
  const { http } = core;
  const topic = (name: string) => `/push/topics/${encodeURIComponent(name)}`;
  return {
    /**
     * Registers this device's push token (the same token twice gives the same device).
     *
     * @example
     * const { deviceId } = await client.push.registerDevice({ platform: 'fcm', token });
     */
    registerDevice: (input: { platform: PushPlatform; token: string }, options?: CallOptions) =>
      http.request<{ deviceId: string }>({ method: 'POST', path: '/push/devices', body: input, auth: 'required', idempotent: true, ...options }),

    /**
     * One page of the caller's devices.
     *
     * @example
     * const { items } = await client.push.listDevices();
     */
    listDevices: (options: ListOptions = {}) =>
      http.request<Page<Device>>({ method: 'GET', path: '/push/devices', query: pageQuery(options), auth: 'required', signal: options.signal }),

    /**
     * Unregisters a device.
     *
     * @example
     * await client.push.removeDevice(deviceId);
     */
    removeDevice: (deviceId: string, options?: CallOptions) =>
      http.request<void>({ method: 'DELETE', path: `/push/devices/${encodeURIComponent(deviceId)}`, auth: 'required', ...options }),

    /**
     * Subscribes the caller's devices to a topic.
     *
     * @example
     * await client.push.subscribeTopic('posts');
     */
    subscribeTopic: (name: string, options?: CallOptions) => http.request<void>({ method: 'PUT', path: topic(name), auth: 'required', ...options }),

    /**
     * Unsubscribes the caller's devices from a topic.
     *
     * @example
     * await client.push.unsubscribeTopic('posts');
     */
    unsubscribeTopic: (name: string, options?: CallOptions) => http.request<void>({ method: 'DELETE', path: topic(name), auth: 'required', ...options }),

    /**
     * Sends a notification to users, a topic, or everyone near a point (group `admin` only);
     * every recipient also finds it in their inbox. Retried safely (one `Idempotency-Key` per call).
     *
     * @example
     * const { deliveries } = await client.push.send({ to: { topic: 'posts' }, notification: { title: 'New post', body: 'Read it now' } });
     * console.log(deliveries.inbox); // inbox items written
     */
    send: (input: { to: PushTarget; notification: PushMessage }, options?: CallOptions) =>
      http.request<{ notificationId: string; deliveries: PushDeliveries }>({ method: 'POST', path: '/push/send', body: input, auth: 'required', create: true, ...options }),
  };
}

export type NotificationsService = ReturnType<typeof createNotifications>;

/**
 * The inbox of a hand-composed client (`client.notifications` on a full one).
 *
 * @example
 * const inbox = createNotifications(core);
 */
export function createNotifications(core: Core) {
  const { http } = core;
  return {
    /**
     * One page of the caller's inbox, newest first.
     *
     * @example
     * const { items } = await client.notifications.list();
     * const unread = items.filter((item) => !item.read).length;
     */
    list: (options: ListOptions = {}) =>
      http.request<Page<InboxNotification>>({ method: 'GET', path: '/notifications', query: pageQuery(options), auth: 'required', signal: options.signal }),

    /**
     * Marks a notification read.
     *
     * @example
     * await client.notifications.markRead(item.notificationId);
     */
    markRead: (notificationId: string, options?: CallOptions) =>
      http.request<void>({ method: 'POST', path: `/notifications/${encodeURIComponent(notificationId)}/read`, auth: 'required', idempotent: true, ...options }),

    /**
     * New inbox notifications as they arrive (signed in only). Resolves once subscribed.
     *
     * @example
     * const stop = await client.notifications.subscribe((item) => toast(item.title));
     */
    subscribe(onNotification: (notification: InboxNotification) => void, options?: SubscribeOptions): Promise<Unsubscribe> {
      if (!core.realtime) throw new TypeError('subscribe needs realtime: use createClient, or set core.realtime = createRealtime(…)');
      return core.realtime.subscribe({ channel: 'notifications' }, (frame) => onNotification(frame.notification as InboxNotification), options);
    },
  };
}
