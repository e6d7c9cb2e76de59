/**
 * The event dispatcher's wiring (the pattern: functions/data/data-wiring.ts): which user function
 * is on which event (`ENV.eventSubscriptions`), under which deployed name (`ENV.functionNames`,
 * from its grant `invoke`), and the Lambda client that hands events over.
 */
import { lambdaClient } from '../adapters/aws-clients.js';
import { LambdaFunctionInvoker } from '../adapters/lambda-function-invoker.js';
import type { EventTrigger } from '../core/config/function-kinds.js';
import * as z from '../core/zod.js';
import type { FunctionInvoker } from '../core/events/dispatch-events.js';
import type { EventSubscription } from '../core/events/lambase-events.js';
import { ENV, requireEnv } from '../shared/env.js';

const subscriptionsSchema = z.array(z.object({ name: z.string(), on: z.custom<EventTrigger>((on) => typeof on === 'object' && on !== null && 'event' in on) }));
const namesSchema = z.record(z.string(), z.string());

/** Every subscription, with the name to invoke each function by. */
export function eventSubscriptions(): EventSubscription[] {
  const names = namesSchema.parse(JSON.parse(requireEnv(ENV.functionNames)));
  return subscriptionsSchema.parse(JSON.parse(requireEnv(ENV.eventSubscriptions))).map(({ name, on }) => {
    const functionName = names[name];
    if (!functionName) throw new Error(`${ENV.functionNames} does not name the function ${name}: the dispatcher may not invoke it.`);
    return { name, functionName, on };
  });
}

/** Asynchronous invocations through Lambda's Invoke API (grant: `invoke`). */
export function functionInvoker(): FunctionInvoker {
  const invoker = new LambdaFunctionInvoker(lambdaClient());
  return (functionName, event) => invoker.invokeAsync(functionName, event);
}
