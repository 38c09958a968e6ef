import { parseForecastWeek } from '../../shared/domain/forecast.js';
import { PeriodError } from '../../shared/domain/periods.js';
import { isMissing } from '../../shared/domain/summary.js';
import { InputFileError } from '../../shared/sources/canonical/jsonl-reader.js';
import { forecastFromFiles } from '../../shared/usecases/forecast-loader.js';
import { canonicalInput } from './canonical-input.js';
import { parseFor } from './commands.js';
import { UsageError } from './usage-error.js';

/**
 * `socpulse forecast --input DIR --week 2026-W49 [--as-of ISO] [--tz ZONE] [--config FILE] --json` (docs/forecast.md):
 * next week's arrivals, analysts required and rostered per local hour of week, from canonical files — only cases
 * created before the week starts (or before `--as-of`, an instant with its offset, when earlier: the staffing email's
 * data-as-of time gives the email's look ahead) are used; shifts inside the week are the roster. One clear error on
 * stderr and exit 2 otherwise.
 */
export async function forecastCommand(argv: string[]): Promise<number> {
  const { values } = parseFor('forecast', argv);
  if (!values.week) throw new UsageError('--week LABEL is required (an ISO week, e.g. 2026-W49)');
  const { input, settings } = canonicalInput(values);

  let week;
  try {
    week = parseForecastWeek(values.week, settings.timezone);
  } catch (e) {
    if (e instanceof PeriodError) throw new UsageError(`--week: ${e.message}`);
    throw e;
  }
  const asOf = values['as-of'];
  // An instant with its offset ("2026-11-04T00:00:00+00:00"), as the email prints it: a bare date would depend on the zone.
  if (asOf !== undefined && (!/(Z|[+-]\d\d:\d\d)$/.test(asOf) || Number.isNaN(Date.parse(asOf))))
    throw new UsageError(`--as-of: ${asOf} is not an ISO instant with its offset (e.g. 2026-11-04T00:00:00+00:00)`);
  try {
    const forecast = await forecastFromFiles(input, week, settings, asOf === undefined ? undefined : Date.parse(asOf));
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
