import { App } from 'aws-cdk-lib';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from '../../infra/bin/app.js';

/** The deploy fixture every infra test reads: test/fixtures/config/prod.json, synthesized once with bundling. */
export const SYNTH_CONFIG = 'test/fixtures/config/prod.json';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The cloud assembly `cdk synth` wrote (templates and bundled assets), shared by every infra test file. */
    synth: { outdir: string; stateful: string; stateless: string };
  }
}

/**
 * One `cdk synth` for the whole infra project, as `cdk synth` runs it: esbuild bundles every function and cdk-nag
 * checks both stacks (a finding fails the synth, so every infra test fails with it). Test files read the templates
 * and assets from `outdir` instead of each synthesizing (and bundling) the app again.
 */
export function setup(project: TestProject) {
  const outdir = mkdtempSync(join(tmpdir(), 'socpulse-synth-'));
  const app = new App({ outdir, context: { '@aws-cdk/core:defaultCrossStackReferences': 'strong' } });
  const { stateful, stateless } = buildApp(app, SYNTH_CONFIG);
  app.synth();
  // The bundles load the AWS SDK with require (the Lambda runtime provides it): here it comes from the project's.
  symlinkSync(resolve('node_modules'), join(outdir, 'node_modules'));
  project.provide('synth', {
    outdir,
    stateful: join(outdir, `${stateful.stackName}.template.json`),
    stateless: join(outdir, `${stateless.stackName}.template.json`),
  });
  return () => rmSync(outdir, { recursive: true, force: true });
}
