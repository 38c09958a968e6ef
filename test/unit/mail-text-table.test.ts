import { describe, expect, it } from 'vitest';
import { fitColumns, tableText } from '../../shared/mail/table.js';
import { cellOf } from '../../shared/mail/table.js';

describe('tables in the plain-text part', () => {
  it('become aligned columns: text left, numbers right, the header underlined, two spaces between', () => {
    const lines = tableText(
      ['Month', 'Plan', 'Actual'],
      [
        [cellOf('Apr 2026'), cellOf('EUR 235,000.00'), cellOf('EUR 82,005.56')],
        [cellOf('Sept 2026'), cellOf('EUR 5.00'), cellOf('no data', true)],
      ],
    );
    // Widths: Month 9 ("Sept 2026"), Plan 14, Actual 17 ("no data (low n)" is 15, "EUR 82,005.56" 13 → 15).
    expect(lines).toEqual([
      '',
      'Month                Plan           Actual',
      '---------  --------------  ---------------',
      'Apr 2026   EUR 235,000.00    EUR 82,005.56',
      'Sept 2026        EUR 5.00  no data (low n)',
    ]);
  });

  it('narrow the widest column until the table fits 78 characters, its cells wrapping onto more lines', () => {
    expect(fitColumns([10, 100], 78)).toEqual([10, 66]); // 10 + 2 + 66 = 78
    // The widest (the first of equals) loses one at a time: 15 rounds take 45, then the first loses one: 74 + 4 = 78.
    expect(fitColumns([40, 40, 40], 78)).toEqual([24, 25, 25]);
    const lines = tableText(['Why', 'n'], [[cellOf('word '.repeat(30).trim()), cellOf('7')]], 1);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(78);
    expect(lines[1]).toBe(`Why${' '.repeat(72)}  n`);
    expect(lines[3]).toBe(`${'word '.repeat(15).trim()}${' '.repeat(75 - 74)}  7`);
    expect(lines[4]).toBe('word '.repeat(15).trim());
  });
});
