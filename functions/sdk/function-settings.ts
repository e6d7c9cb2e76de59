/**
 * A user function's own settings, which the stack (and local mode) hand it in `ENV.function`
 * (lib/routes/function-routes.ts writes them from lambase.config.ts): its name, what its `ctx`
 * may use, and its HTTP route if it has one. Read once per execution environment.
 */
import { FUNCTION_USES, HTTP_METHODS, type FunctionAuth } from '../core/config/function-kinds.js';
import * as z from '../core/zod.js';
import { ENV, requireEnv } from '../shared/env.js';

const settingsSchema = z.object({
  name: z.string().check(z.minLength(1)),
  uses: z.array(z.enum(FUNCTION_USES)),
  // The config validated auth (functions/core/config/function-config.ts); here it is only typed.
  http: z.optional(z.object({ method: z.enum(HTTP_METHODS), path: z.string(), auth: z.custom<FunctionAuth>((auth) => typeof auth === 'string') })),
});

export type FunctionSettings = z.output<typeof settingsSchema>;

export function functionSettings(): FunctionSettings {
  const parsed = settingsSchema.safeParse(JSON.parse(requireEnv(ENV.function)));
  if (!parsed.success) throw new Error(`${ENV.function} is not a user function's settings: ${parsed.error.message}`);
  return parsed.data;
}
