/**
 * zod failures in the contract's terms: one `details` entry per problem, `path` dotted from the
 * top of the input (`tags.3`, `params.id`, `operations.2.data.title`).
 */
import * as z from './zod.js';
import { ValidationError, type ErrorDetail } from './errors.js';

export function validationErrorFrom(error: z.SchemaError, prefix?: string): ValidationError {
  const details = error.issues.map((issue) => detailFrom(issue, prefix));
  const first = details[0];
  const message = first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'Invalid request.';
  return new ValidationError(message, { details });
}

/** Parses `input` with `schema` or throws the ValidationError naming each wrong field. */
export function parseOrThrow<T>(schema: z.Schema<T>, input: unknown, prefix?: string): T {
  const result = z.safeParse(schema, input);
  if (!result.success) throw validationErrorFrom(result.error, prefix);
  return result.data;
}

function detailFrom(issue: z.SchemaIssue, prefix?: string): ErrorDetail {
  const segments = [...(prefix ? [prefix] : []), ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') {
    return {
      path: [...segments, ...issue.keys.slice(0, 1)].join('.') || undefined,
      message: `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`,
    };
  }
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : issue.message;
  return { path: segments.join('.') || undefined, message };
}
