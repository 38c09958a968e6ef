import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { AwsClient } from 'aws4fetch';
import { UsageError } from './usage-error.js';

/** How the CLI reaches an API: a deployed stack (SigV4 with the caller's AWS credentials) or a local run (a token). */
export interface RemoteOptions {
  api?: string;
  token?: string;
  region?: string;
}

/** A fetch against the socpulse API: signed for `execute-api` in the cloud, with a bearer token locally. */
export async function remoteFetch(
  opts: RemoteOptions,
): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  const base = (opts.api ?? process.env.SOCPULSE_API_URL ?? '').replace(/\/$/, '');
  if (!base)
    throw new UsageError(
      '--api URL (or SOCPULSE_API_URL) is required: the API of the deployed stack, or http://127.0.0.1:8787 with --token for a running `socpulse start --serve` (locally, `socpulse report RUNBOOK` needs no API)',
    );
  if (!/^https?:\/\//.test(base)) throw new UsageError(`--api ${base}: not an http(s) URL`);
  if (opts.token)
    return (path, init = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${opts.token}` },
      });
  const region =
    opts.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    /execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(base)?.[1];
  if (!region) throw new UsageError('cannot tell the AWS region: set AWS_REGION or pass --region');
  let credentials;
  try {
    credentials = await defaultProvider()();
  } catch (e) {
    throw new UsageError(
      `no AWS credentials for signing (${(e as Error).message}); assume the socpulse manager or finance role first`,
    );
  }
  const client = new AwsClient({
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    service: 'execute-api',
    region,
  });
  return (path, init) => client.fetch(`${base}${path}`, init);
}

/** Turn an API error body into one clear line (its code, message and field). */
export async function apiError(res: Response): Promise<string> {
  const text = await res.text();
  try {
    const { error } = JSON.parse(text) as { error: { code: string; message: string; field?: string } };
    return `${res.status} ${error.code}: ${error.message}${error.field ? ` (field: ${error.field})` : ''}`;
  } catch {
    return `${res.status}: ${text.slice(0, 200)}`;
  }
}
