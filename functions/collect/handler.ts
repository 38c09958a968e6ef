import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { CollectEnv, ENV, functionConfig, parseFunctionEnv } from '../../shared/config/function-env.js';
import { SecretsManagerResolver } from '../../shared/sources/secrets.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { DynamoTable, dynamoClient } from '../../shared/store/dynamo-table.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { collectSource, configuredSource } from '../../shared/usecases/collect-source.js';

// INIT, once per container: the environment (its schema names any missing variable), the config, clients and stores.
const env = parseFunctionEnv(CollectEnv);
const { config } = functionConfig(env[ENV.configFile]);
const table = new DynamoTable(dynamoClient(), env[ENV.table]);
const deps = {
  snapshots: new DynamoSnapshotStore(table),
  runs: new DynamoCollectionRunStore(table),
  now: () => new Date(),
};
const secrets = new SecretsManagerResolver(env[ENV.secretsPrefix]);
const logger = new Logger({ serviceName: 'socpulse-collect' });
const metrics = new Metrics({ namespace: 'socpulse', serviceName: 'collect' });

const Event = z.object({ source: z.string().min(1) }).strict();

/** EventBridge Scheduler → collect one source. */
export const handler = async (event: unknown, context: Context) => {
  logger.addContext(context);
  const { source } = Event.parse(event);
  // A collection that throws is a failed one: the metric is published whatever happens (the alarm counts it).
  let failed = 1;
  let rejected: number | undefined;
  try {
    const run = await collectSource(deps, configuredSource(config, source, secrets));
    failed = run.status === 'failed' ? 1 : 0;
    rejected = run.rejects.count;
    logger.info('collection finished', {
      source,
      status: run.status,
      counts: run.counts,
      snapshots: run.snapshots,
      rejects: run.rejects.count,
      errors: run.errors,
    });
    // A failed collection is recorded, not thrown: retrying a broken source hourly is the schedule's job, and the alarm's.
    return { source, status: run.status, counts: run.counts, errors: run.errors };
  } catch (e) {
    logger.error('collection threw', { source, error: e as Error });
    throw e;
  } finally {
    metrics.addDimension('source', source);
    metrics.addMetric('CollectionFailed', MetricUnit.Count, failed);
    if (rejected !== undefined) metrics.addMetric('RecordsRejected', MetricUnit.Count, rejected);
    metrics.publishStoredMetrics();
  }
};
