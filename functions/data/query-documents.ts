import { queryDocumentsOperation } from '../contract/data.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

export const handler = httpHandler(queryDocumentsOperation, async ({ params, body, caller }) => {
  const { limit, cursor, ...query } = body;
  return ok(await documents.query(caller, params.collection, query, { limit, cursor }));
}, { tokens: accessTokens() });
