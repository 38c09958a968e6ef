import type { KpiSummary } from '../domain/kpi.js';
import { escapeHtml as h, plainText } from './escape.js';
import { wrapText } from './format.js';
import { moveText } from './headline.js';
import { C, FONT, type Part } from './layout.js';

/** A headline tile: value and its change against the previous period, coloured by whether that is better or worse. */
export interface Tile {
  label: string;
  value: string;
  /** Second line: the change, a target, or what the figure is made of. */
  sub: string;
  tone?: 'better' | 'worse' | 'neutral';
  lowN?: boolean;
}

/**
 * A headline tile's second line and colour (docs/what-changed.md "Words and signs follow the verdict"): an arrow and
 * a colour only for a figure whose change test says "changed" — the move from its usual value (rates in points) —
 * and otherwise the previous period's figure, plainly, with the verdict when the figure is tested. Against a previous
 * period that was not fully collected, no figure but why ("previous week incomplete").
 */
export function tileSub(k: KpiSummary, name: string, format: (n: number) => string): Pick<Tile, 'sub' | 'tone'> {
  if (k.trend?.missing) return { sub: (k.trend.reason ?? '').split(':')[0]!, tone: 'neutral' };
  const trend = k.trend?.metrics?.[name];
  const label = k.trend?.previous.label ?? 'previous';
  const c = k.changes?.find((x) => x.metric === name && x.group === undefined);
  if (c?.verdict === 'changed') {
    const arrow = c.sign > 0 ? '▲' : '▼';
    const usual = c.method === 'history' ? `usual ${format(c.baseline!)}` : `${format(c.previous!)} in ${label}`;
    const better = trend?.better ?? null;
    return {
      sub: `${arrow} ${moveText(c)} vs ${usual}`,
      tone: better === null ? 'neutral' : c.sign < 0 === (better === 'lower') ? 'better' : 'worse',
    };
  }
  // A previous period with no data (or wholly before the case data begins) has no figure, never a zero.
  const from = k.trend?.previous.casesFrom;
  const before = from !== undefined && k.trend && Date.parse(from) >= Date.parse(k.trend.previous.end);
  if (c?.verdict === 'no-data' || before) return { sub: `no data for ${label}`, tone: 'neutral' };
  if (!trend || trend.previous === null) return { sub: 'no previous figure', tone: 'neutral' };
  const verdict = !c ? '' : c.verdict === 'low-n' ? ', too few to judge' : ', within noise';
  return { sub: `${format(trend.previous)} in ${label}${verdict}`, tone: 'neutral' };
}

/** Tiles three across on a desktop, two or one on a phone; in the text part, one line each. */
export function tiles(list: Tile[]): Part {
  const color = (t?: Tile['tone']) => (t === 'better' ? C.better : t === 'worse' ? C.worse : C.neutral);
  const box = (t: Tile) =>
    `<div class="tile" style="display:inline-block;width:100%;max-width:200px;vertical-align:top;font-size:14px;${FONT}"><div style="padding:4px;"><div class="tilebox" style="background:${C.tile};border:1px solid ${C.line};border-radius:6px;padding:10px 12px;">
<div class="muted" style="font-size:13px;line-height:18px;color:${C.muted};">${h(t.label)}${t.lowN ? ` <span class="lown" style="color:${C.faint};">(low n)</span>` : ''}</div>
<div class="ink${t.lowN ? ' lown' : ''}" style="font-size:22px;line-height:28px;font-weight:700;color:${t.lowN ? C.faint : C.ink};">${h(t.value)}</div>
<div class="${t.tone === 'better' || t.tone === 'worse' ? t.tone : 'muted'}" style="font-size:13px;line-height:18px;font-weight:600;color:${color(t.tone)};" data-direction="${h(t.tone ?? 'none')}">${h(t.sub)}</div>
</div></div></div>`;
  // Hybrid layout: Outlook (Word) ignores max-width and inline-block, so conditional tables give it fixed columns.
  const cells = list
    .map(
      (t, i) =>
        `${i % 3 === 0 && i > 0 ? '<!--[if mso]></tr><tr><![endif]-->' : ''}<!--[if mso]><td width="200" valign="top"><![endif]-->${box(t)}<!--[if mso]></td><![endif]-->`,
    )
    .join('');
  return {
    html: `<div class="tiles" style="font-size:0;line-height:0;margin:4px -4px 8px -4px;"><!--[if mso]><table role="presentation" cellpadding="0" cellspacing="0" width="600"><tr><![endif]-->${cells}<!--[if mso]></tr></table><![endif]--></div>`,
    text: list.flatMap((t) =>
      wrapText(`- ${t.label}: ${plainText(t.value)}${t.lowN ? ' (low n)' : ''} (${t.sub})`, 78, '    '),
    ),
  };
}
