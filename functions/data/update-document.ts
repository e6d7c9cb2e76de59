import { updateDocumentOperation } from '../contract/data.js';
import { etagHeader, parseIfMatch } from '../core/documents/precondition.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

export const handler = httpHandler(updateDocumentOperation, async ({ params, body, caller, headers }) => {
  const document = await documents.update(caller, params.collection, params.id, body, parseIfMatch(headers['if-match']));
  return ok(document, etagHeader(document));
}, { tokens: accessTokens() });
