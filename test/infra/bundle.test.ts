import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCompiledRunbooks } from '../../shared/config/runbook-schema.js';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { synthesized } from './template.js';

// The assets of the one shared `cdk synth` (global-setup.ts). test/infra/deployed-functions.test.ts runs them.
describe('function bundles (esbuild, as cdk synth builds them)', () => {
  it('bundles every function as minified ESM with its config, runbooks and, for report, the chart assets', () => {
    const { outdir, stateless } = synthesized();
    // Each function's code is the asset folder named by the hash in its S3 key.
    const assets = Object.entries(stateless.Resources)
      .filter(([, r]) => r.Type === 'AWS::Lambda::Function')
      .map(([id, r]) => ({
        id,
        dir: join(outdir, `asset.${(r.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '')}`),
      }));
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
      // The mcp bundle leaves Ajv out (its server never elicits); deployed-functions.test.ts shows it still answers.
      if (id.startsWith('Mcp')) expect(sources.filter((s) => /node_modules\/ajv(-formats)?\//.test(s))).toEqual([]);
      if (id.startsWith('Report'))
        expect(files).toEqual(expect.arrayContaining(['index_bg.wasm', 'Inter_400Regular.ttf', 'Inter_700Bold.ttf']));
    }
  });
});
