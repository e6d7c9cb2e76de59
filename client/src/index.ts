/**
 * @lambase/client: the typed client of a Lambase backend. Every export is a plain function or
 * type: `createClient` wires them all; `createCore` plus the `create*` services build a smaller one.
 */
export { createClient, type ClientOptions, type LambaseClient } from './client.js';
export { createCore, type Core, type CoreOptions, type LambaseOutputs } from './core.js';
export { createAuth, type AuthChallenge, type AuthResult, type AuthService } from './auth.js';
export { batch, createCollection, type CollectionService, type QueryOptions, type WriteOptions } from './collections.js';
export { createFiles, type FilesService, type UploadOptions, type UploadProgress } from './files.js';
export { createNotifications, createPush, type NotificationsService, type PushService } from './push.js';
export { createAdmin, createMe, type AdminService, type MeService } from './account.js';
export {
  createRealtime,
  type Realtime,
  type RealtimeOptions,
  type RealtimeTarget,
  type SubscribeOptions,
  type Unsubscribe,
  type WebSocketConstructor,
  type WebSocketLike,
} from './realtime.js';
export { memoryStorage, type AuthChangeEvent, type AuthChangeListener, type Session, type SessionStorage, type SessionUser } from './session.js';
export { LambaseError, type ErrorCode, type ErrorDetail } from './errors.js';
export type { CallOptions, RetryOptions } from './http.js';
export { eachItem } from './pages.js';
export type * from './api-types.js';
export type * from './schema.js';
