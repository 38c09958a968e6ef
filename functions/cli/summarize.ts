import { parsePeriod, PeriodError } from '../../shared/domain/periods.js';
import { MixedCurrencyError } from '../../shared/domain/budget.js';
import { BudgetCsvError } from '../../shared/config/budget-plan-csv.js';
import { InputFileError } from '../../shared/sources/canonical/jsonl-reader.js';
import { summarizeCanonicalDir } from '../../shared/usecases/summarize-files.js';
import { canonicalInput } from './canonical-input.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse summarize --input DIR --period LABEL [--tz ZONE] [--as-of ISO] [--config FILE] --json`
 * (METRICS.md): prints the whole summary as JSON, or one clear error on stderr and exit code 2, with nothing on stdout.
 */
export async function summarizeCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('summarize', argv);
  if (!values.period) throw new UsageError('--period LABEL is required (e.g. 2026-W47, 2026-11, 2026-Q4, FY2027)');
  const { input, settings } = canonicalInput(values);

  try {
    const period = parsePeriod(values.period, {
      tz: settings.timezone,
      fiscalYearStartMonth: settings.fiscalYearStartMonth,
    });
    let asOf = period.end;
    if (values['as-of'] !== undefined) {
      asOf = Date.parse(values['as-of']);
      if (!/^\d{4}-\d{2}-\d{2}T/.test(values['as-of']) || Number.isNaN(asOf))
        throw new UsageError(`--as-of "${values['as-of']}" is not an ISO-8601 instant`);
    }
    const summary = await summarizeCanonicalDir(input, { period, asOf, settings });
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(`--period: ${e.message}`);
    if (e instanceof InputFileError || e instanceof BudgetCsvError || e instanceof MixedCurrencyError) {
      process.stderr.write(`socpulse summarize: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
