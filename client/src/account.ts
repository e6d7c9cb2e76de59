/** `client.me` (the caller's own account and location) and `client.admin` (user administration). */
import type { AccountExport, AdminUser, GeoPoint, LocationReport, Page, PageOptions, Profile, StoredLocation } from './api-types.js';
import type { Core } from './core.js';
import { LambaseError } from './errors.js';
import type { CallOptions } from './http.js';

export type MeService = ReturnType<typeof createMe>;

/**
 * The account service of a hand-composed client (`client.me` on a full one).
 *
 * @example
 * const me = createMe(createCore({ url }));
 */
export function createMe(core: Core) {
  const { http } = core;
  return {
    /**
     * The caller's profile.
     *
     * @example
     * const { email, groups } = await client.me.get();
     */
    get: (options?: CallOptions) => http.request<Profile>({ method: 'GET', path: '/me', auth: 'required', ...options }),

    /**
     * Changes the profile; `name: null` removes the name.
     *
     * @example
     * await client.me.update({ name: 'Ada Lovelace' });
     */
    update: (input: { name?: string | null }, options?: CallOptions) =>
      http.request<Profile>({ method: 'PATCH', path: '/me', body: input, auth: 'required', ...options }),

    /**
     * Changes the password (`InvalidCredentials` when the current one is wrong).
     *
     * @example
     * await client.me.changePassword({ currentPassword, newPassword });
     */
    changePassword: (input: { currentPassword: string; newPassword: string }, options?: CallOptions) =>
      http.request<void>({ method: 'POST', path: '/me/change-password', body: input, auth: 'required', ...options }),

    /**
     * Reports where the caller is; answers which geofences were entered and exited.
     *
     * @example
     * const { entered } = await client.me.setLocation({ lat: 48.8584, lng: 2.2945, accuracyMeters: 12 });
     */
    setLocation: (input: GeoPoint & { accuracyMeters?: number }, options?: CallOptions) =>
      http.request<LocationReport>({ method: 'PUT', path: '/me/location', body: input, auth: 'required', ...options }),

    /**
     * The last reported location, or null when there is none.
     *
     * @example
     * const last = await client.me.getLocation();
     */
    async getLocation(options?: CallOptions): Promise<StoredLocation | null> {
      try {
        return await http.request<StoredLocation>({ method: 'GET', path: '/me/location', auth: 'required', ...options });
      } catch (error) {
        if (error instanceof LambaseError && error.status === 404) return null;
        throw error;
      }
    },

    /**
     * Forgets the caller's location.
     *
     * @example
     * await client.me.deleteLocation();
     */
    deleteLocation: (options?: CallOptions) => http.request<void>({ method: 'DELETE', path: '/me/location', auth: 'required', ...options }),

    /**
     * Everything the caller owns, as JSON.
     *
     * @example
     * const data = await client.me.export();
     * download(JSON.stringify(data));
     */
    export: (options?: CallOptions) => http.request<AccountExport>({ method: 'GET', path: '/me/export', auth: 'required', ...options }),

    /**
     * Deletes the account and everything it owns, then signs out.
     *
     * @example
     * await client.me.delete();
     */
    async delete(options?: CallOptions): Promise<void> {
      await http.request<void>({ method: 'DELETE', path: '/me', auth: 'required', ...options });
      await http.session.set(null, 'SIGNED_OUT');
    },
  };
}

export type AdminService = ReturnType<typeof createAdmin>;

/**
 * The administration service of a hand-composed client (`client.admin` on a full one).
 * Every call needs group `admin` (`Forbidden` otherwise).
 *
 * @example
 * const admin = createAdmin(createCore({ url }));
 */
export function createAdmin(core: Core) {
  const { http } = core;
  const user = (userId: string) => `/admin/users/${encodeURIComponent(userId)}`;
  const group = (userId: string, name: string) => `${user(userId)}/groups/${encodeURIComponent(name)}`;
  const act = (method: 'PUT' | 'DELETE' | 'POST', path: string, options?: CallOptions) =>
    http.request<void>({ method, path, auth: 'required', idempotent: true, ...options });
  return {
    /**
     * One page of users.
     *
     * @example
     * for await (const user of eachItem(client.admin.listUsers)) console.log(user.email);
     */
    listUsers: (options: PageOptions & CallOptions = {}) =>
      http.request<Page<AdminUser>>({ method: 'GET', path: '/admin/users', query: { limit: options.limit, cursor: options.cursor }, auth: 'required', signal: options.signal }),

    /**
     * Adds a user to a group.
     *
     * @example
     * await client.admin.addToGroup(userId, 'editors');
     */
    addToGroup: (userId: string, name: string, options?: CallOptions) => act('PUT', group(userId, name), options),

    /**
     * Removes a user from a group.
     *
     * @example
     * await client.admin.removeFromGroup(userId, 'editors');
     */
    removeFromGroup: (userId: string, name: string, options?: CallOptions) => act('DELETE', group(userId, name), options),

    /**
     * Disables a user: no more sign-in or refresh.
     *
     * @example
     * await client.admin.disable(userId);
     */
    disable: (userId: string, options?: CallOptions) => act('POST', `${user(userId)}/disable`, options),

    /**
     * Enables a disabled user again.
     *
     * @example
     * await client.admin.enable(userId);
     */
    enable: (userId: string, options?: CallOptions) => act('POST', `${user(userId)}/enable`, options),
  };
}
