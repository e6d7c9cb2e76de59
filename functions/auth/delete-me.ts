import { deleteMeOperation } from '../contract/delete-me.js';
import { deleteAccount } from '../core/auth/account.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { storedObjects } from '../storage/storage-wiring.js';
import { ownedData, profileStore, userDirectory } from './auth-wiring.js';

const deps = { directory: userDirectory(), profiles: profileStore(), ownedData: ownedData({ storedObjects }) };

export const handler = httpHandler(deleteMeOperation, async ({ caller }) => {
  await deleteAccount(deps, caller);
  return noContent();
});
