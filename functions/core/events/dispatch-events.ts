/**
 * The event dispatcher's use case: a batch of committed table changes in, one asynchronous
 * invocation out per (event, subscribed function). An invocation is handed to Lambda, which
 * retries a failing function twice and then sends the event to its failure destination: one
 * function failing never holds back the batch or the other functions.
 *
 * Only a failed hand-over (the Invoke call itself) fails a change. The batch then reports the
 * first such change as its failure, so the stream delivers it again with everything after it; the
 * functions that already got an event skip its redelivery, because each function runs an event
 * once per `eventId` (functions/sdk/define-function.ts keeps a receipt per function and event).
 *
 * @example
 * const { failedSequenceNumber } = await dispatchChanges({ invoke, subscriptions }, changes);
 * return { batchItemFailures: failedSequenceNumber ? [{ itemIdentifier: failedSequenceNumber }] : [] };
 */
import pMap from 'p-map';
import { fitForDelivery, matchesTrigger, type EventSubscription, type TableEvent } from './lambase-events.js';
import { eventsOf, type TableChange } from './table-events.js';

/** Hands `event` to the function named `functionName` for an asynchronous run. */
export type FunctionInvoker = (functionName: string, event: TableEvent) => Promise<void>;

export type DispatchDependencies = {
  invoke: FunctionInvoker;
  subscriptions: readonly EventSubscription[];
  /** Told about each hand-over that failed (it is retried with its change). */
  onInvokeFailure?: (failure: { function: string; eventId: string; error: unknown }) => void;
};

/** Changes handled at once: Invoke calls are short, and a batch holds up to 100 changes. */
export const DISPATCH_CONCURRENCY = 10;

export type DispatchResult = {
  /** The first change whose event could not be handed to every function, if any. */
  failedSequenceNumber?: string;
  /** Hand-overs made (events × functions). */
  invoked: number;
};

export async function dispatchChanges(deps: DispatchDependencies, changes: readonly TableChange[]): Promise<DispatchResult> {
  let invoked = 0;
  const outcomes = await pMap(
    changes,
    async (change) => {
      let ok = true;
      for (const event of eventsOf(change)) {
        const targets = deps.subscriptions.filter((subscription) => matchesTrigger(subscription.on, event));
        const delivered = fitForDelivery(event);
        const results = await Promise.allSettled(targets.map((target) => deps.invoke(target.functionName, delivered)));
        results.forEach((result, index) => {
          if (result.status === 'fulfilled') {
            invoked++;
            return;
          }
          ok = false;
          deps.onInvokeFailure?.({ function: targets[index]!.name, eventId: event.eventId, error: result.reason });
        });
      }
      return ok;
    },
    { concurrency: DISPATCH_CONCURRENCY },
  );
  const firstFailed = outcomes.indexOf(false);
  return { invoked, ...(firstFailed >= 0 ? { failedSequenceNumber: changes[firstFailed]!.sequenceNumber } : {}) };
}
