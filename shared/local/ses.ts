import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';

/** A mail as the SES stand-in stores it (`GET /store`): parsed, inline images as data URIs. */
export interface StoredEmail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string; size: number }[];
  at: number;
}

/** A running in-process SES stand-in. */
export interface LocalSes {
  endpoint: string;
  /** Its web page, where delivered mail can be read. */
  webUrl: string;
  stop(): Promise<void>;
}

type StartFn = (config?: { host?: string; port?: number }) => Promise<Server>;
// The package is CommonJS compiled from ESM: the function sits one `default` deeper under Node's ESM interop.
const start: StartFn = ((sesModule as unknown as { default?: StartFn }).default ?? sesModule) as StartFn;

/**
 * Start aws-ses-v2-local in process on a free loopback port, empty. The package keeps ONE store per process, so a
 * stand-in started after another in the same process (test files sharing a worker) would otherwise hold the mail of
 * the one before: it is cleared first.
 */
export async function startLocalSes(): Promise<LocalSes> {
  const server = await start({ host: '127.0.0.1', port: 0 });
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const cleared = await fetch(`${url}/clear-store`, { method: 'POST' });
  if (!cleared.ok) throw new Error(`SES stand-in ${url}/clear-store answered ${cleared.status}`);
  return {
    endpoint: url,
    webUrl: `${url}/`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Every mail the stand-in holds (it keeps one store per process). */
export async function readLocalStore(endpoint: string): Promise<StoredEmail[]> {
  const res = await fetch(`${endpoint}/store`);
  if (!res.ok) throw new Error(`SES stand-in ${endpoint}/store answered ${res.status}`);
  return ((await res.json()) as { emails: StoredEmail[] }).emails;
}
