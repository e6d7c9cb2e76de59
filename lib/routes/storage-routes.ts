/**
 * The storage feature's section of the route table (lib/routes.ts), and its S3 trigger.
 *
 * Every object lives under `files/<ownerId>/<fileId>` (functions/core/storage/file-record.ts), so
 * each function is granted exactly one action on that one root: the upload function signs
 * presigned POSTs (PutObject), the download function presigned GETs (GetObject), the delete
 * function and the trigger delete (DeleteObject), the trigger reads object metadata (GetObject
 * covers HeadObject). Listing files touches no bucket at all.
 */
import { FILES_KEY_ROOT } from '../../functions/core/storage/file-record.js';
import { deleteFileOperation, getFileOperation, listFilesOperation, requestUploadOperation } from '../../functions/contract/storage.js';
import { grants } from '../grants.js';
import type { RouteDefinition, TriggerDefinition } from '../route-types.js';

export const storageRoutes: readonly RouteDefinition[] = [
  {
    operation: requestUploadOperation,
    handler: 'functions/storage/request-upload.ts',
    // Read too: the Idempotency-Key records live in the table.
    grants: [grants.tableReadWrite, grants.bucket('write', FILES_KEY_ROOT)],
  },
  {
    operation: listFilesOperation,
    handler: 'functions/storage/list-files.ts',
    grants: [grants.tableRead, grants.cursorKey],
  },
  {
    operation: getFileOperation,
    handler: 'functions/storage/get-file.ts',
    grants: [grants.tableRead, grants.bucket('read', FILES_KEY_ROOT)],
  },
  {
    operation: deleteFileOperation,
    handler: 'functions/storage/delete-file.ts',
    grants: [grants.tableReadWrite, grants.bucket('delete', FILES_KEY_ROOT)],
  },
];

/** The storage feature's event-driven functions (lib/triggers.ts). */
export const storageTriggers: readonly TriggerDefinition[] = [
  {
    name: 'verify-upload',
    source: 's3',
    prefix: FILES_KEY_ROOT,
    handler: 'functions/storage/verify-upload.ts',
    grants: [grants.tableReadWrite, grants.bucket('read', FILES_KEY_ROOT), grants.bucket('delete', FILES_KEY_ROOT)],
    timeoutSeconds: 30,
  },
];
