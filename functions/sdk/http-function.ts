/**
 * An HTTP user function: the platform's one middleware stack (request id, body limit, the caller
 * from the access token, thrown errors in the contract's shape), a `group:<name>` check (403), and
 * the user's `{ status, body }`. Its own module so that an event function's bundle leaves it out
 * (build/function-build.ts), and an HTTP function's leaves out the event path's receipts.
 */
import { functionOperation } from '../contract/functions.js';
import type { Operation } from '../contract/operation.js';
import { ForbiddenError, ValidationError } from '../core/errors.js';
import * as z from '../core/zod.js';
import { accessTokens } from '../shared/access-tokens.js';
import { httpHandler, type HttpEvent, type HttpRequest } from '../shared/http-handler.js';
import type { Parts, Run } from './context-parts.js';
import type { FunctionSettings } from './function-settings.js';
import type { HttpFunctionRequest } from './function-types.js';

const jsonBody = z.pipe(
  z.string(),
  z.transform((text: string, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.issues.push({ code: 'custom', message: 'The body is not valid JSON.', input: text });
      return z.NEVER;
    }
  }),
);

export function httpFunction(settings: FunctionSettings, run: Run, parts: Parts) {
  const http = settings.http!;
  const group = http.auth.startsWith('group:') ? http.auth.slice('group:'.length) : undefined;
  const operation = functionOperation(settings.name, http);
  // A `public` function's route has no authorizer: a token sent to it is verified here (a caller
  // when valid, 401 when not), as on the platform's own optional-auth routes.
  const options = operation.auth === 'optional' ? { tokens: accessTokens() } : undefined;
  return httpHandler(operation, async (request: HttpRequest<Operation>) => {
    const { caller } = request;
    if (group && !(caller && (caller.groups.includes(group) || caller.groups.includes(parts.adminGroup)))) {
      throw new ForbiddenError(`Only members of ${group} may call this.`);
    }
    const event: HttpFunctionRequest = {
      type: 'http',
      method: request.event.requestContext.http.method,
      path: request.event.rawPath,
      params: (request.params ?? {}) as Record<string, string>,
      query: (request.query ?? {}) as Record<string, string>,
      headers: request.headers,
      body: parseBody(request.event),
      caller,
    };
    const result = await run(event, parts.contextFor(request.context.awsRequestId, undefined));
    if (!result || typeof result.status !== 'number') throw new Error(`${settings.name} must return { status, body }.`);
    return result;
  }, options);
}

function parseBody(event: HttpEvent): unknown {
  if (event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const parsed = jsonBody.safeParse(text);
  if (!parsed.success) throw new ValidationError('The body is not valid JSON.');
  return parsed.data;
}
