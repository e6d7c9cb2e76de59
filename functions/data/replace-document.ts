import { replaceDocumentOperation } from '../contract/data.js';
import { parseIfMatch } from '../core/documents/precondition.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documents, etagHeader } from './documents-wiring.js';

export const handler = httpHandler(replaceDocumentOperation, async ({ params, body, caller, headers }) => {
  const document = await documents.replace(caller, params.collection, params.id, body, parseIfMatch(headers['if-match']));
  return ok(document, etagHeader(document));
});
