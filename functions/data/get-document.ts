import { getDocumentOperation } from '../contract/data.js';
import { etagHeader } from '../core/documents/precondition.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

export const handler = httpHandler(getDocumentOperation, async ({ params, caller }) => {
  const document = await documents.get(caller, params.collection, params.id);
  return ok(document, etagHeader(document));
}, { tokens: accessTokens() });
