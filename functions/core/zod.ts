/**
 * zod for everything that runs in a function: the tree-shakable `zod/mini` build, with English
 * messages (mini loads no locale by itself; the messages are the same ones full zod gives).
 *
 * Why not full zod: its method-chaining API cannot be tree-shaken, so `import { z } from 'zod'`
 * puts ~440 KB into every bundle (all its locales included) where zod/mini takes ~20 KB.
 *
 * Rules (ARCHITECTURE.md, "Bundles"), checked by test/unit/build/function-bundles.test.ts:
 * - import it as a namespace: `import * as z from '…/core/zod.js'`;
 * - never reach `z.core.*` or `z.locales.*` as values (types are fine): a nested namespace keeps
 *   the whole library; import a core value by name from `zod/v4/core` instead.
 *
 * @example
 * const params = z.object({ id: z.string().check(z.minLength(1), z.maxLength(128)) });
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';
/** Any zod schema, mini or full (collection fields in lambase.config.ts are full zod). */
export type { $ZodType as Schema, $ZodError as SchemaError, $ZodIssue as SchemaIssue } from 'zod/v4/core';
