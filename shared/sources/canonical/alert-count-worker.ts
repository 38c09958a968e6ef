// Worker thread of `summarizeCanonicalDir`: counts a big alerts file per local day while the main thread reads cases.
import { parentPort, workerData } from 'node:worker_threads';
import { countAlertsByDay, type AlertCountReply } from './alert-counts.js';
import { InputFileError } from './jsonl-reader.js';

const { path, tz, judgedAt } = workerData as { path: string; tz: string; judgedAt: number[] };
let reply: AlertCountReply;
try {
  reply = { counts: await countAlertsByDay(path, { tz, judgedAt }) };
} catch (e) {
  reply = e instanceof InputFileError ? { file: e.file, line: e.line, detail: e.detail } : { message: String(e) };
}
parentPort!.postMessage(reply);
