/** What the admin routes need: the user directory and the admin group of lambase.config.ts (`auth.adminGroup`). */
import backend from '../../lambase.config.js';
import type { AdminDeps, ListUsersDeps } from '../core/auth/user-admin.js';
import { pageCursors, userDirectory } from './dependencies.js';

export function adminDeps(): AdminDeps {
  return { directory: userDirectory(), adminGroup: backend.auth.adminGroup };
}

/** Listing users also signs its page cursors (grant: `cursorKey`). */
export function listUsersDeps(): ListUsersDeps {
  return { ...adminDeps(), cursors: pageCursors() };
}
