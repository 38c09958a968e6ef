import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod';
import { functionConfig } from '../../shared/config/function-env.js';
import { SecretsManagerResolver } from '../../shared/sources/secrets.js';
import { DynamoCollectionRunStore } from '../../shared/store/collection-run-store.js';
import { tableFromEnv } from '../../shared/store/dynamo-table.js';
import { DynamoSnapshotStore } from '../../shared/store/snapshot-store.js';
import { collectSource, configuredSource } from '../../shared/usecases/collect-source.js';

// Cold start: config, clients and stores once per container.
const { config } = functionConfig();
const table = tableFromEnv();
const deps = {
  snapshots: new DynamoSnapshotStore(table),
  runs: new DynamoCollectionRunStore(table),
  now: () => new Date(),
};
const secrets = new SecretsManagerResolver(config.deploy?.secretsPrefix ?? 'socpulse/');
const logger = new Logger({ serviceName: 'socpulse-collect' });
const metrics = new Metrics({ namespace: 'socpulse', serviceName: 'collect' });

const Event = z.object({ source: z.string().min(1) }).strict();

/** EventBridge Scheduler → collect one source. */
export const handler = async (event: unknown) => {
  const { source } = Event.parse(event);
  const run = await collectSource(deps, configuredSource(config, source, secrets));
  metrics.addDimension('source', source);
  metrics.addMetric('CollectionFailed', MetricUnit.Count, run.status === 'failed' ? 1 : 0);
  metrics.addMetric('RecordsRejected', MetricUnit.Count, run.rejects.count);
  metrics.publishStoredMetrics();
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
};
