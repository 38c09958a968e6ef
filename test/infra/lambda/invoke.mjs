// Run one bundled handler as the Lambda Node.js runtime does: import the asset's index.mjs (INIT), then call its
// `handler` export once per event with a Lambda context, in order. Events come as JSON in $SOCPULSE_EVENTS; the string
// "<<runId>>" in an event is replaced by the last `runId` an earlier answer carried. Prints one line:
// `RESULTS <json>` with, per event, `{ value }` or `{ error }`.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const asset = process.env.LAMBDA_TASK_ROOT;
const events = JSON.parse(process.env.SOCPULSE_EVENTS ?? '[]');
const init = Date.now();
const { handler } = await import(pathToFileURL(join(asset, 'index.mjs')).href);
const initMs = Date.now() - init;
const context = () => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:123456789012:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  logStreamName: 'test',
  getRemainingTimeInMillis: () => 30_000,
  done() {},
  fail() {},
  succeed() {},
});
let runId;
const results = [];
for (const [i, raw] of events.entries()) {
  // Which event a recorded AWS call belongs to (record-calls.mjs reads it; calls at INIT have none).
  globalThis.__socpulseEvent = i;
  const event = JSON.parse(JSON.stringify(raw).replaceAll('<<runId>>', runId ?? 'none'));
  try {
    const value = await handler(event, context());
    results.push({ value });
    let body = value?.body;
    try {
      body = typeof body === 'string' ? JSON.parse(body) : body;
    } catch {
      /* not JSON */
    }
    runId = body?.runId ?? body?.result?.structuredContent?.runId ?? value?.runId ?? runId;
  } catch (e) {
    results.push({ error: String(e?.message ?? e) });
  }
}
console.log(`RESULTS ${JSON.stringify({ initMs, results })}`);
