/**
 * What the public auth routes tell Cognito about the request: the end user's address, as API
 * Gateway saw it (`requestContext.http.sourceIp`), for threat protection's risk scoring.
 */
import type { ClientContext } from '../core/auth/ports.js';
import type { Warn } from '../core/auth/registration.js';
import type { HttpEvent } from '../shared/http-handler.js';
import { logger } from '../shared/logger.js';

export function clientContextOf(event: HttpEvent): ClientContext {
  const ipAddress = event.requestContext?.http?.sourceIp;
  return ipAddress ? { ipAddress } : {};
}

/** Where the code-request routes report what their 202 hides. */
export const warnInLog: Warn = (message, details) => logger.warn(message, details);
