import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A started HTTP stand-in and what it was asked. */
export interface StandIn<T> {
  endpoint: string;
  requests: T[];
  stop(): Promise<void>;
}

async function serve<T>(
  handle: (body: string, url: string, headers: Record<string, unknown>, requests: T[]) => [number, string],
): Promise<StandIn<T>> {
  const requests: T[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const [status, out] = handle(body, req.url ?? '', req.headers, requests);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Secrets Manager has no local stand-in: GetSecretValue (awsJson1_1, `X-Amz-Target: secretsmanager.GetSecretValue`)
 * answered from `secrets` (secret ARN → value), by name or by ARN, and ResourceNotFoundException otherwise.
 */
export function secretsManagerStandIn(secrets: Map<string, string>) {
  return serve<{ target: string; secretId: string }>((body, _url, headers, requests) => {
    const target = String(headers['x-amz-target']);
    const { SecretId } = JSON.parse(body) as { SecretId: string };
    requests.push({ target, secretId: SecretId });
    const arn = [...secrets.keys()].find(
      (a) => a === SecretId || a.replace(/-[A-Za-z0-9]{6}$/, '').endsWith(`:secret:${SecretId}`),
    );
    if (target !== 'secretsmanager.GetSecretValue' || !arn)
      return [400, JSON.stringify({ __type: 'ResourceNotFoundException', message: `no secret ${SecretId}` })];
    const name = arn.split(':secret:')[1]!.replace(/-[A-Za-z0-9]{6}$/, '');
    return [200, JSON.stringify({ ARN: arn, Name: name, SecretString: secrets.get(arn), VersionId: 'v1' })];
  });
}

/** Lambda has no local stand-in: Invoke (`POST /2015-03-31/functions/NAME/invocations`) recorded, answered 202. */
export function lambdaStandIn() {
  return serve<{ functionName: string; invocationType: string; payload: unknown }>((body, url, headers, requests) => {
    const m = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(url);
    if (!m) return [404, JSON.stringify({ message: `unexpected ${url}` })];
    requests.push({
      functionName: decodeURIComponent(m[1]!),
      invocationType: String(headers['x-amz-invocation-type']),
      payload: JSON.parse(body),
    });
    return [202, ''];
  });
}
