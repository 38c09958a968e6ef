import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { loadReportRunbooks } from '../../shared/config/runbooks.js';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files the chart renderer loads at run time (shared/mail/charts.ts looks for them beside the bundle). */
const CHART_ASSETS = [
  '@resvg/resvg-wasm/index_bg.wasm',
  '@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf',
  '@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf',
];

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * esbuild `--alias` arguments that point packages at small modules written here (a stable path: their names end up
 * in the source map, and the source map in the asset hash).
 *
 * - The AWS SDK stays external (the Lambda runtime provides it) but is loaded with `require`, not `import`: each
 *   `@aws-sdk/*` dependency becomes a one-line CommonJS module that requires it. Node's ESM loader, importing the
 *   SDK's CommonJS files, lexes each one for its export names and probes its module format; `require` does neither
 *   and is ~40 ms faster for the DynamoDB client alone. The SDK is still loaded when the code first asks for it: at
 *   INIT for static imports, on first use for `import()`. esbuild leaves a `require` of a computed name alone, so
 *   the bundle's `require` (the banner's `createRequire`) resolves it at run time, from the runtime's SDK in Lambda.
 * - The mcp function leaves out Ajv: the MCP SDK server uses it only to check elicitation answers, and socpulse's
 *   server never elicits and passes its own validator (functions/mcp/server.ts), so Ajv is never constructed.
 */
function bundleAliases(name: SocpulseFunctionProps['name']): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const args: Record<string, string> = {};
  const alias = (pkgName: string, code: string) => {
    args[`--alias:${pkgName}`] = buildFile('socpulse-bundle-aliases', `${pkgName.replace(/[@/]/g, '_')}.cjs`, code);
  };
  for (const sdk of Object.keys(pkg.dependencies).filter((d) => d.startsWith('@aws-sdk/')))
    alias(sdk, `const name = ${JSON.stringify(sdk)};\nmodule.exports = require(name);\n`);
  if (name === 'mcp')
    for (const lib of ['ajv', 'ajv-formats'])
      alias(
        lib,
        `module.exports = function () {\n  throw new Error('${lib} is not bundled in the mcp function');\n};\n`,
      );
  return args;
}

/**
 * Node flags of every function. A 64 MB young generation (V8's default is 16 MB): building a summary allocates
 * hundreds of thousands of short-lived rows, and scavenging them in a small nursery cost a quarter of a monthly
 * report's time (`npm run bench reports` runs with the same flag).
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps --max-semi-space-size=64';

/** The report runbooks' front matter as JSON, written once per synth to a stable path the bundling step copies. */
function compiledRunbooks(): string {
  return buildFile('socpulse-runbooks', 'runbooks.json', JSON.stringify(loadReportRunbooks(join(ROOT, 'runbooks'))));
}

/**
 * A file that bundling reads, written under node_modules/.cache at a stable path (it ends up in source maps, and so in
 * the asset hash) and only when its content changed.
 */
function buildFile(folder: string, name: string, content: string): string {
  const dir = join(ROOT, 'node_modules', '.cache', folder);
  const file = join(dir, name);
  mkdirSync(dir, { recursive: true });
  // Synths may run side by side (tests): never let esbuild or a copy see a half-written file.
  if (!existsSync(file) || readFileSync(file, 'utf8') !== content) {
    writeFileSync(`${file}.${process.pid}`, content);
    renameSync(`${file}.${process.pid}`, file);
  }
  return file;
}

/**
 * Actions a function's role is granted that no socpulse code calls, each with why it is granted. Every other granted
 * action must be used by a call the functions make in test/infra/deployed-functions.test.ts (which fails on a grant
 * neither used nor listed here).
 */
export const GRANTS_WITHOUT_A_CALL: Readonly<Record<string, string>> = {
  // Tracing.ACTIVE (below): the Lambda service sends each invocation's trace with the function's role.
  'xray:PutTraceSegments': 'the Lambda service sends trace segments with the role (Tracing.ACTIVE)',
  'xray:PutTelemetryRecords': 'the Lambda service sends X-Ray telemetry with the role (Tracing.ACTIVE)',
  // useTable: DynamoDB encrypts and re-encrypts the table key with the caller's permissions, not at a call of ours
  // (DynamoDB Developer Guide, "How Amazon DynamoDB uses AWS KMS": a customer managed key's user needs these).
  'kms:Encrypt': 'DynamoDB encrypts the table key with the caller’s permissions (customer managed key)',
  'kms:ReEncrypt*': 'DynamoDB re-encrypts the table key after a key rotation with the caller’s permissions',
  'kms:GenerateDataKey*': 'DynamoDB generates the table key’s data keys with the caller’s permissions',
};

/** What every stack part that holds a socpulse function is given. */
export interface FunctionPartProps {
  /** The config file bundled beside the handler. */
  configFile: string;
  /** Environment every socpulse function gets (the table name). */
  environment: Record<string, string>;
  table: ITable;
  /** The data key that encrypts the table (and the secrets). */
  key: IKey;
}

export interface SocpulseFunctionProps {
  /** Folder under functions/ holding handler.ts. */
  name: 'collect' | 'report' | 'api' | 'mcp';
  configFile: string;
  environment: Record<string, string>;
  timeout: Duration;
  memorySize: number;
}

/**
 * One handler bundled with esbuild (ESM, arm64, Node 22, minified, source maps, AWS SDK from the runtime), with the
 * config file and the runbooks (their front matter compiled to JSON) beside the bundle, so a cold start reads
 * them from disk without a YAML parser.
 */
export class SocpulseFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: SocpulseFunctionProps) {
    super(scope, id);
    const hooks: ICommandHooks = {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_input: string, output: string) => [
        `cp "${props.configFile}" "${output}/socpulse.config.json"`,
        `cp "${compiledRunbooks()}" "${output}/runbooks.json"`,
        // The report function renders charts: resvg's wasm and the Inter fonts sit beside its bundle.
        ...(props.name === 'report'
          ? CHART_ASSETS.map((f) => `cp "${join(ROOT, 'node_modules', f)}" "${output}/"`)
          : []),
      ],
    };
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.THREE_MONTHS });
    this.fn = new NodejsFunction(this, 'Fn', {
      entry: join(ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      logGroup,
      environment: {
        NODE_OPTIONS: LAMBDA_NODE_OPTIONS,
        POWERTOOLS_SERVICE_NAME: `socpulse-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: 'socpulse',
        ...props.environment,
      },
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // Stack traces need file and line, not the sources: a third of the map that --enable-source-maps reads at INIT.
        sourcesContent: false,
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        esbuildArgs: bundleAliases(props.name),
        commandHooks: hooks,
      },
    });
  }

  /**
   * Least privilege: the given item actions on this table only, and the data key that encrypts it. DynamoDB uses the
   * key with the caller's permissions (kms:ViaService): the actions of grantEncryptDecrypt, GRANTS_WITHOUT_A_CALL says
   * why the ones socpulse never calls itself are here.
   */
  useTable(table: ITable, key: IKey, ...actions: string[]): void {
    table.grant(this.fn, ...actions);
    key.grantEncryptDecrypt(this.fn);
  }
}
