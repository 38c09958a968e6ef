import { App } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/bin/app.js';
import { parseCompiledRunbooks } from '../../shared/config/runbook-schema.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';

describe('function bundles (esbuild, as cdk synth builds them)', () => {
  it('bundles every function as minified ESM with its config, runbooks and, for report, the chart assets', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'socpulse-cdk-'));
    const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
    const { stateless } = buildApp(app, 'test/fixtures/config/prod.json');
    const assembly = app.synth();
    const template = assembly.getStackByName(stateless.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    // Each function's code is the asset folder named by the hash in its S3 key.
    const assets = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => ({ id, dir: join(outdir, `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`) }));
    expect(assets.map((a) => a.id.replace(/Fn.*/, '')).sort()).toEqual(['Api', 'Collect', 'Mcp', 'Report']);
    for (const { id, dir } of assets) {
      const files = readdirSync(dir);
      expect(files).toEqual(
        expect.arrayContaining(['index.mjs', 'index.mjs.map', 'socpulse.config.json', 'runbooks.json']),
      );
      // The compiled runbooks are the report runbooks, read back as a deployed handler reads them.
      expect(
        parseCompiledRunbooks(readFileSync(join(dir, 'runbooks.json'), 'utf8'), 'runbooks.json').map((r) => r.id),
      ).toEqual(loadReportRunbooks('runbooks').map((r) => r.id));
      const size = statSync(join(dir, 'index.mjs')).size;
      const limit = id.startsWith('Report') ? 2 * 1024 * 1024 : 1.5 * 1024 * 1024;
      console.log(`${id}: index.mjs ${(size / 1024).toFixed(0)} KB (limit ${(limit / 1024).toFixed(0)} KB)`);
      expect(size).toBeLessThan(limit);
      // The AWS SDK comes from the Lambda runtime, so it is not in the bundle; it is loaded with require, never
      // imported (Node's ESM loader takes ~40 ms longer over the SDK's CommonJS files).
      const code = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(code).not.toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs/);
      expect(code).toMatch(/"@aws-sdk\/client-dynamodb"/);
      expect(code).not.toMatch(/(from|import)\s*\(?\s*"@aws-sdk\//);
      // Functions read the runbooks compiled to JSON: no bundle holds the YAML parser.
      const { sources } = JSON.parse(readFileSync(join(dir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
      expect(sources.filter((s) => s.includes('node_modules/yaml/'))).toEqual([]);
      // zod is bundled for what the functions use: no locale but the default English one.
      expect(sources.filter((s) => /node_modules\/zod\/v4\/locales\/(?!en\.js)/.test(s))).toEqual([]);
      if (id.startsWith('Report'))
        expect(files).toEqual(expect.arrayContaining(['index_bg.wasm', 'Inter_400Regular.ttf', 'Inter_700Bold.ttf']));
    }
    // The mcp bundle leaves Ajv out (its server never elicits): the bundled handler still answers MCP requests.
    const mcp = assets.find((a) => a.id.startsWith('Mcp'))!.dir;
    symlinkSync(join(process.cwd(), 'node_modules'), join(mcp, 'node_modules'));
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', MCP_CALL], {
      cwd: mcp,
      encoding: 'utf8',
      env: {
        ...process.env,
        SOCPULSE_TABLE: 'unused',
        AWS_REGION: 'eu-west-2',
        SOCPULSE_ROLE_ARNS: JSON.stringify({ manager: 'arn:aws:iam::123456789012:role/socpulse-manager' }),
        SOCPULSE_REPORT_FUNCTION: 'unused',
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
      },
    });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual({
      status: [200, 200],
      tools: [
        'get_kpis',
        'get_staffing',
        'get_staffing_forecast',
        'get_budget_snapshot',
        'trigger_report',
        'list_report_runs',
      ],
    });
  }, 600_000); // esbuild bundles every function: over a minute alone, several on a loaded machine
});

/** Import the mcp bundle and send initialize and tools/list through its Lambda handler, as API Gateway would. */
const MCP_CALL = `
const { handler } = await import('./index.mjs');
const call = (body) => handler({
  version: '2.0', routeKey: 'ANY /mcp', rawPath: '/mcp', rawQueryString: '', isBase64Encoded: false,
  headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: 'api.example.com' },
  requestContext: { http: { method: 'POST', path: '/mcp', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 't' },
    domainName: 'api.example.com', requestId: 'r', routeKey: 'ANY /mcp', stage: '$default',
    authorizer: { iam: { userArn: 'arn:aws:sts::123456789012:assumed-role/socpulse-manager/bundle-test' } } },
  body: JSON.stringify({ jsonrpc: '2.0', ...body }),
});
const init = await call({ id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bundle-test', version: '1' } } });
const list = await call({ id: 2, method: 'tools/list' });
console.log(JSON.stringify({ status: [init.statusCode, list.statusCode],
  tools: JSON.parse(list.body).result.tools.map((t) => t.name) }));
`;
