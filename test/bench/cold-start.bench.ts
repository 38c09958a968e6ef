// Benchmark: bundle size and cold-start import time of each function bundle under plain node (issue 6).
// The bundles are built exactly as `cdk synth` builds them; the AWS SDK (external, provided by the Lambda runtime)
// is resolved from this project's node_modules through a symlink.
import { App } from 'aws-cdk-lib';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../infra/bin/app.js';

const ROOT = join(import.meta.dirname, '../..');

export async function run(): Promise<void> {
  const outdir = mkdtempSync(join(tmpdir(), 'socpulse-coldstart-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const { stateless } = buildApp(app, join(ROOT, 'test/fixtures/config/prod.json'));
  const template = app.synth().getStackByName(stateless.stackName).template as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const dir = join(outdir, `asset.${r.Properties.Code!.S3Key!.replace(/\.zip$/, '')}`);
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const size = statSync(join(dir, 'index.mjs')).size;
    const env = {
      ...process.env,
      SOCPULSE_TABLE: 'bench',
      AWS_REGION: 'eu-west-2',
      SOCPULSE_ROLE_ARNS: '{}',
      SOCPULSE_REPORT_FUNCTION: 'x',
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'x',
    };
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const out = execFileSync(
        process.execPath,
        [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(join(dir, 'index.mjs'))}); console.log(performance.now() - t);`,
        ],
        { env, encoding: 'utf8' },
      );
      times.push(Number(out.trim().split('\n').at(-1)));
    }
    times.sort((a, b) => a - b);
    console.log(
      `${id.replace(/Fn.*/, '').padEnd(8)} bundle ${(size / 1024).toFixed(0).padStart(5)} KB  INIT (import, median of 5) ${times[2]!.toFixed(0)} ms  (min ${times[0]!.toFixed(0)}, max ${times[4]!.toFixed(0)}); target < 300 ms${id.startsWith('Report') ? ', includes warming the chart renderer (wasm + fonts)' : ''}`,
    );
  }
}
