/**
 * What every collection obeys, read at run time by the functions as well as by `defineBackend`
 * when it checks the config. Kept apart from define-backend.ts, which validates the config with
 * full zod: the functions never load that (ARCHITECTURE.md, "Bundles").
 */

/**
 * Fields every document carries, set by the server (`distanceMeters` only on `near` results); a
 * client that sends one gets 400.
 */
export const RESERVED_FIELDS = ['id', 'owner', 'createdAt', 'updatedAt', 'version', 'distanceMeters'] as const;
/** How many indexes one collection may declare (each one is a sparse generic GSI slot). */
export const MAX_INDEXES_PER_COLLECTION = 5;
