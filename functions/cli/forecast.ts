import { parseForecastWeek } from '../../shared/domain/forecast.js';
import { PeriodError } from '../../shared/domain/periods.js';
import { isMissing } from '../../shared/domain/summary.js';
import { InputFileError } from '../../shared/sources/canonical/jsonl-reader.js';
import { forecastFromFiles } from '../../shared/usecases/forecast-loader.js';
import { canonicalInput } from './canonical-input.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse forecast --input DIR --week 2026-W49 [--tz ZONE] [--config FILE] --json` (docs/forecast.md): next week's
 * arrivals, analysts required and rostered per local hour of week, from canonical files — only cases created before
 * the week starts are used; shifts inside the week are the roster. One clear error on stderr and exit 2 otherwise.
 */
export async function forecastCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('forecast', argv);
  // --as-of is in forecast's flag table (commands.ts) for the look ahead judged at an instant (issue 24); until this
  // command reads it, it is refused rather than ignored.
  if (values['as-of'] !== undefined) throw new UsageError('--as-of is not read by this version of forecast');
  if (!values.week) throw new UsageError('--week LABEL is required (an ISO week, e.g. 2026-W49)');
  const { input, settings } = canonicalInput(values);

  let week;
  try {
    week = parseForecastWeek(values.week, settings.timezone);
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(`--week: ${e.message}`);
    throw e;
  }
  try {
    const forecast = await forecastFromFiles(input, week, settings);
    if (isMissing(forecast)) {
      process.stderr.write(`socpulse forecast: ${forecast.reason}\n`);
      return 2;
    }
    process.stdout.write(JSON.stringify(forecast, null, 2) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof InputFileError) {
      process.stderr.write(`socpulse forecast: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
