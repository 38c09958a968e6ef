import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nothingMapped, unmappedFamily, type ReadSummary } from '../../shared/sources/reader.js';

/**
 * The per-family check as collection and export wrote it before it was built on the one `nothingMapped` check
 * (issue 16): kept here as the reference, so the rewrite is shown to say the same thing for every input.
 */
function reference(rejects: ReadSummary['rejects'], counts: Record<string, number>): string | undefined {
  const said = (what: string, rejected: number, family?: string) => {
    const sample = rejects.samples.find((s) => family === undefined || s.family === family);
    return `every ${what} the source answered was rejected (${rejected} rejected${sample ? `; e.g. ${sample.family} ${sample.reason}` : ''})`;
  };
  if (!rejects.byFamily)
    return rejects.count > 0 && !Object.values(counts).some((n) => n > 0) ? said('record', rejects.count) : undefined;
  for (const [family, rejected] of Object.entries(rejects.byFamily))
    if (rejected > 0 && !counts[family]) return said(`${family} record`, rejected, family);
  return undefined;
}

const family = fc.constantFrom('cases', 'alerts', 'shifts', 'costs');
const tally = fc.dictionary(family, fc.nat({ max: 5 }));

describe('the one nothing-mapped check', () => {
  it('fails a read only when the source answered something and nothing was kept', () => {
    const say = (e: string | undefined) => `nothing (${e})`;
    expect(nothingMapped({ answered: 0, kept: 0 }, say)).toBeUndefined();
    expect(nothingMapped({ answered: 3, kept: 1 }, say)).toBeUndefined();
    expect(nothingMapped({ answered: 3, kept: 0, example: 'no severity' }, say)).toBe('nothing (no severity)');
  });

  it('per family, says exactly what the check before it said, for any rejects and counts', () => {
    fc.assert(
      fc.property(
        fc.option(tally, { nil: undefined }),
        tally,
        fc.nat({ max: 9 }),
        fc.array(fc.record({ family, reason: fc.string({ maxLength: 8 }) }), { maxLength: 4 }),
        (byFamily, counts, count, samples) => {
          const rejects = { count, samples, ...(byFamily ? { byFamily } : {}) };
          expect(unmappedFamily(rejects, counts)).toBe(reference(rejects, counts));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
