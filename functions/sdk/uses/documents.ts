/** `ctx.documents` (uses: `documents` or `documents:read`): documents on the backend's own authority. */
import { systemClock } from '../../core/clock.js';
import { ServerDocuments } from '../../core/documents/server-documents.js';
import { documentService, documentStore } from '../../data/data-wiring.js';

export function part(): ServerDocuments {
  const store = documentStore();
  return new ServerDocuments({ service: documentService(store), store, clock: systemClock });
}
