import { Duration } from 'aws-cdk-lib';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type ICommandHooks } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Files the chart renderer loads at run time (shared/mail/charts.ts looks for them beside the bundle). */
const CHART_ASSETS = [
  '@resvg/resvg-wasm/index_bg.wasm',
  '@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf',
  '@expo-google-fonts/inter/700Bold/Inter_700Bold.ttf',
];

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

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
 * config file and the runbooks copied beside the bundle so a cold start reads them from disk.
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
        `mkdir -p "${output}/runbooks"`,
        `cp "${ROOT}"/runbooks/*.md "${output}/runbooks/"`,
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
        NODE_OPTIONS: '--enable-source-maps',
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
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        banner: "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);",
        commandHooks: hooks,
      },
    });
  }
}
