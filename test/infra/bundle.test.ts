import { App } from 'aws-cdk-lib';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/bin/app.js';

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
      expect(files).toEqual(expect.arrayContaining(['index.mjs', 'index.mjs.map', 'socpulse.config.json', 'runbooks']));
      const size = statSync(join(dir, 'index.mjs')).size;
      const limit = id.startsWith('Report') ? 2 * 1024 * 1024 : 1.5 * 1024 * 1024;
      console.log(`${id}: index.mjs ${(size / 1024).toFixed(0)} KB (limit ${(limit / 1024).toFixed(0)} KB)`);
      expect(size).toBeLessThan(limit);
      // The AWS SDK comes from the Lambda runtime, so it is not in the bundle.
      expect(readFileSync(join(dir, 'index.mjs'), 'utf8')).not.toMatch(/@aws-sdk\/client-dynamodb\/dist-cjs/);
      if (id.startsWith('Report'))
        expect(files).toEqual(expect.arrayContaining(['index_bg.wasm', 'Inter_400Regular.ttf', 'Inter_700Bold.ttf']));
    }
  });
});
