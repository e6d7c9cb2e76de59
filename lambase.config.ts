/**
 * Your backend, in one file. `cdk deploy`, `npm start` and the client types all read it.
 *
 * - collections: the document database (fields are zod schemas, `point()` for a location; access
 *   rules per action: "public", "authenticated", "owner", "group:<name>", or a list; default
 *   "owner"; `geo` indexes for near/within queries; `geofences` for enter/exit events).
 * - storage: upload limits. push: platform credentials, by Secrets Manager secret name only.
 * - api: the stage's throttle. auth: the admin group and MFA.
 * - functions: your own functions (docs/api/functions.md): each runs on an HTTP route (`http`), an
 *   event (`on`) or a schedule (`schedule`), and gets the permissions of what it `uses`.
 */
import { z } from 'zod';
import { defineBackend, point } from './functions/core/config/define-backend.js';

export default defineBackend({
  collections: {
    notes: {
      fields: {
        title: z.string().min(1).max(200),
        body: z.string().max(10_000).optional(),
        pinned: z.boolean().default(false),
        tags: z.array(z.string().max(100)).max(20).optional(),
      },
      access: { read: 'owner', create: 'owner', update: 'owner', delete: 'owner' },
    },
    posts: {
      fields: {
        title: z.string().min(1).max(200),
        body: z.string().max(20_000).optional(),
        published: z.boolean(),
        category: z.string().min(1).max(50).optional(),
      },
      access: { read: 'public', create: 'authenticated', update: 'owner', delete: 'owner' },
      indexes: { byCategory: { partition: 'category', sort: 'createdAt' } },
    },
    sessions: {
      fields: {
        device: z.string().max(200).optional(),
        expiresAt: z.iso.datetime(),
      },
      ttl: 'expiresAt',
    },
    places: {
      fields: {
        name: z.string().min(1).max(200),
        category: z.string().min(1).max(50),
        location: point(),
      },
      access: { read: 'public', create: 'authenticated', update: 'owner', delete: 'owner' },
      // near/within queries: "cafés near me" (partition category) and anything near me.
      indexes: { nearby: { geo: 'location', partition: 'category' }, anywhere: { geo: 'location' } },
    },
    zones: {
      fields: {
        name: z.string().min(1).max(200),
        center: point(),
        radiusMeters: z.number().min(10).max(50_000),
      },
      access: { read: 'authenticated', create: 'group:admin', update: 'group:admin', delete: 'group:admin' },
      // Each document is a circular fence: PUT /me/location reports entering and leaving it.
      geofences: { center: 'center', radius: 'radiusMeters' },
    },
  },
  storage: {
    maxFileSize: 10 * 1024 * 1024,
    allowedContentTypes: ['image/*', 'application/pdf', 'text/plain'],
  },
  push: {
    apns: { secretName: 'lambase/push/apns' },
    apnsSandbox: { secretName: 'lambase/push/apns-sandbox' },
    fcm: { secretName: 'lambase/push/fcm' },
    topics: ['posts'],
  },
  api: { throttle: { rateLimit: 100, burstLimit: 200 } },
  auth: { adminGroup: 'admin', mfa: 'optional' },
  functions: {
    welcome: { handler: './functions-user/welcome.ts', on: 'userSignedUp', uses: ['notifications'] },
    'notify-new-post': {
      handler: './functions-user/notify-new-post.ts',
      on: { event: 'documentCreated', collection: 'posts', where: { published: true } },
      uses: ['push'],
    },
    stats: {
      handler: './functions-user/stats.ts',
      http: { method: 'GET', path: '/stats', auth: 'authenticated' },
      uses: ['documents:read', 'files'],
    },
    // A user's reported location entered a zone (PUT /me/location): a notification in their inbox.
    'zone-alert': { handler: './functions-user/zone-alert.ts', on: { event: 'geofenceEntered', collection: 'zones' }, uses: ['notifications'] },
  },
});
