/** The document database's section of the route table (lib/routes.ts). */
import {
  batchDocumentsOperation,
  createDocumentOperation,
  deleteDocumentOperation,
  getDocumentOperation,
  listDocumentsOperation,
  queryDocumentsOperation,
  replaceDocumentOperation,
  updateDocumentOperation,
} from '../../functions/contract/data.js';
import { grants } from '../grants.js';
import type { RouteDefinition } from '../route-types.js';

// Reads never write (except the one cursor-key item); writes read first to check rules and versions.
const reader = [grants.tableRead, grants.cursorKey];
const writer = [grants.tableReadWrite];

export const dataRoutes: readonly RouteDefinition[] = [
  { operation: createDocumentOperation, handler: 'functions/data/create-document.ts', grants: writer },
  { operation: listDocumentsOperation, handler: 'functions/data/list-documents.ts', grants: reader },
  { operation: queryDocumentsOperation, handler: 'functions/data/query-documents.ts', grants: reader },
  { operation: getDocumentOperation, handler: 'functions/data/get-document.ts', grants: [grants.tableRead] },
  { operation: updateDocumentOperation, handler: 'functions/data/update-document.ts', grants: writer },
  { operation: replaceDocumentOperation, handler: 'functions/data/replace-document.ts', grants: writer },
  { operation: deleteDocumentOperation, handler: 'functions/data/delete-document.ts', grants: writer },
  { operation: batchDocumentsOperation, handler: 'functions/data/batch-documents.ts', grants: writer, timeoutSeconds: 15 },
];
