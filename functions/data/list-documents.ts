import { listDocumentsOperation } from '../contract/data.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

export const handler = httpHandler(listDocumentsOperation, async ({ params, query, caller }) =>
  ok(await documents.list(caller, params.collection, query)),
  { tokens: accessTokens() },
);
