/** `ctx.files` (uses: `files`): file records and download URLs. */
import { systemClock } from '../../core/clock.js';
import { ServerFiles } from '../../core/storage/server-files.js';
import { fileObjects, fileRecords } from '../../storage/storage-wiring.js';

export function part(): ServerFiles {
  return new ServerFiles({ records: fileRecords(), objects: fileObjects(), clock: systemClock });
}
