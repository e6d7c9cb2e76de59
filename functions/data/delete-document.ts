import { deleteDocumentOperation } from '../contract/data.js';
import { parseIfMatch } from '../core/documents/precondition.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler } from '../shared/http-handler.js';
import { noContent } from '../shared/http-result.js';
import { documentService } from './data-wiring.js';

const documents = documentService();

export const handler = httpHandler(deleteDocumentOperation, async ({ params, caller, headers }) => {
  await documents.remove(caller, params.collection, params.id, parseIfMatch(headers['if-match']));
  return noContent();
}, { tokens: accessTokens() });
