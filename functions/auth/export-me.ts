import { exportMeOperation } from '../contract/auth.js';
import { exportAccount } from '../core/auth/account.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { ownedData, userDirectory } from './auth-wiring.js';

const deps = { directory: userDirectory(), ownedData: ownedData() };

export const handler = httpHandler(exportMeOperation, async ({ caller }) =>
  ok(await exportAccount(deps, caller), { 'cache-control': 'no-store', 'content-disposition': 'attachment; filename="lambase-export.json"' }),
);
