import { describe, expect, it } from 'vitest';
import type { Summary } from '../../shared/domain/summary.js';
import { headlineSentences } from '../../shared/mail/headline.js';

// Only the staffing figures the sentence reads; the other sections are not asked for.
const withGap = (hours: number, analystHours: number) =>
  ({
    staffing: { scheduledFte: 16.5, requiredFte: 13.25, coverageGap: { hours, analystHours } },
  }) as unknown as Summary;

describe('the staffing headline', () => {
  it('says one hour in the singular and more in the plural', () => {
    expect(headlineSentences(withGap(1, 1), ['staffing'], 0.9)).toEqual([
      '16.5 FTE were scheduled against 13.3 required; 1 hour of the week was short by 1.0 analyst-hours in all.',
    ]);
    expect(headlineSentences(withGap(1234, 2.25), ['staffing'], 0.9)).toEqual([
      '16.5 FTE were scheduled against 13.3 required; 1,234 hours of the week were short by 2.3 analyst-hours in all.',
    ]);
  });
});
