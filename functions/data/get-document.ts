import { getDocumentOperation } from '../contract/data.js';
import { httpHandler } from '../shared/http-handler.js';
import { ok } from '../shared/http-result.js';
import { documents, etagHeader } from './documents-wiring.js';

export const handler = httpHandler(getDocumentOperation, async ({ params, caller }) => {
  const document = await documents.get(caller, params.collection, params.id);
  return ok(document, etagHeader(document));
});
