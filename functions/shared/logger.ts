/**
 * The one structured JSON logger: one JSON line per entry on stdout, in the shape Powertools'
 * Logger writes (`level`, `message`, `timestamp`, `service`, `cold_start`, `function_name`,
 * `function_request_id`, `xray_trace_id`, then the keys added), which CloudWatch Logs Insights
 * queries and Lambda's JSON log format take as they are. Events are never logged (they hold
 * tokens and passwords): the request middleware logs method, route, status and duration only.
 *
 * Our own rather than Powertools' Logger: that one weighs ~35 KB in every bundle (with its
 * commons and invoke store) and does work at every cold start for features Lambase does not use
 * (sampling, buffering, custom formatters).
 *
 * Level: `AWS_LAMBDA_LOG_LEVEL` (Lambda's logging controls), else `POWERTOOLS_LOG_LEVEL`, else INFO;
 * `SILENT` writes nothing.
 *
 * @example
 * logger.warn('code not sent', { flow: 'forgot-password', reason: error.name });
 */
import type middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { sourceMappedStack } from './source-mapped-stack.js';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;
type Extra = Record<string, unknown> | Error;

function thresholdFromEnvironment(): number {
  const name = (process.env.AWS_LAMBDA_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO').toUpperCase();
  return LEVELS[name as keyof typeof LEVELS] ?? LEVELS.INFO;
}

/** An Error as JSON: what it is, where it was thrown and why (its cause), never its own extra fields. */
function serializeError(error: Error): Record<string, unknown> {
  return {
    name: error.name,
    message: error.message,
    stack: error.stack && sourceMappedStack(error.stack),
    ...(error.cause instanceof Error ? { cause: serializeError(error.cause) } : {}),
  };
}

export class JsonLogger {
  private readonly threshold = thresholdFromEnvironment();
  private context: Record<string, unknown> = {};
  private keys: Record<string, unknown> = {};
  private coldStart = true;

  constructor(private readonly service: string) {}

  debug(message: string, extra?: Extra): void {
    this.write('DEBUG', message, extra);
  }

  info(message: string, extra?: Extra): void {
    this.write('INFO', message, extra);
  }

  warn(message: string, extra?: Extra): void {
    this.write('WARN', message, extra);
  }

  error(message: string, extra?: Extra): void {
    this.write('ERROR', message, extra);
  }

  /** Whether entries of `level` are written (a caller can skip work only such an entry needs). */
  isEnabled(level: Level): boolean {
    return LEVELS[level] >= this.threshold;
  }

  /** Keys added to every entry until the next invocation starts. */
  appendKeys(keys: Record<string, unknown>): void {
    Object.assign(this.keys, keys);
  }

  /** The invocation's context (function, request id, cold start); clears the keys of the last one. */
  startInvocation(context: Context): void {
    this.keys = {};
    this.context = {
      cold_start: this.coldStart,
      function_arn: context.invokedFunctionArn,
      function_memory_size: Number(context.memoryLimitInMB),
      function_name: context.functionName,
      function_request_id: context.awsRequestId,
    };
    this.coldStart = false;
  }

  private write(level: Level, message: string, extra: Extra | undefined): void {
    if (LEVELS[level] < this.threshold) return;
    const fields = extra instanceof Error ? { error: serializeError(extra) } : extra && Object.fromEntries(Object.entries(extra).map(([key, value]) => [key, value instanceof Error ? serializeError(value) : value]));
    const traceId = process.env._X_AMZN_TRACE_ID?.match(/Root=([^;]+)/)?.[1];
    const entry = { level, message, timestamp: new Date().toISOString(), service: this.service, ...this.context, ...(traceId ? { xray_trace_id: traceId } : {}), ...this.keys, ...fields };
    process.stdout.write(`${JSON.stringify(entry)}\n`);
  }
}

export const logger = new JsonLogger(process.env.POWERTOOLS_SERVICE_NAME ?? 'lambase');

/** The first middleware of every function: each invocation's entries carry its context and only its keys. */
export function loggerContext<Event, Result>(): middy.MiddlewareObj<Event, Result> {
  return {
    before: function loggerContextBefore(request) {
      logger.startInvocation(request.context);
    },
  };
}
