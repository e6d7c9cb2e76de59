// One Lambda "execution environment" for local mode: a worker thread with the function's own
// environment (process.env is per worker), its own module state, and the function's bundle (the
// shared build's output, the code the CDK deploys) loaded once — a cold start on the first
// invocation, warm after. Plain JS: a bundle needs no loader.
//
// The thread boots before it knows its function (the runtime keeps one booted as a spare, so a
// first call does not wait for a thread to start): its first message names the function and
// brings its environment, set before the bundle is imported, so the function sees exactly what it
// would have had from the start. Nothing of the function runs before that.
import { once } from 'node:events';
import { parentPort } from 'node:worker_threads';

const [{ load }] = await once(parentPort, 'message');
const { moduleUrl, functionName, memoryMb, timeoutSeconds, environment } = load;
Object.assign(process.env, environment);
// Workers ignore NODE_OPTIONS; the function's own asks for source-mapped stack traces as in Lambda.
if (/--enable-source-maps\b/.test(process.env.NODE_OPTIONS ?? '')) process.setSourceMapsEnabled(true);
const module = await import(moduleUrl);
if (typeof module.handler !== 'function') {
  throw new Error(`${moduleUrl} does not export a function named "handler"`);
}

parentPort.on('message', async ({ id, event, requestId }) => {
  const deadline = Date.now() + timeoutSeconds * 1000;
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done() {},
    fail() {},
    succeed() {},
  };
  try {
    const result = await module.handler(event, context);
    parentPort.postMessage({ id, result: result === undefined ? null : JSON.parse(JSON.stringify(result)) });
  } catch (error) {
    parentPort.postMessage({
      id,
      error: { errorType: error?.name ?? 'Error', errorMessage: error?.message ?? String(error), stack: error?.stack },
    });
  }
});
parentPort.postMessage({ ready: true });
