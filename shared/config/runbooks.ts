import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ReportRunbookSchema, RunbookError, type ReportRunbook } from './runbook-schema.js';

/** Parse one runbook file's front matter (between the leading `---` lines). */
export function parseRunbook(text: string, file: string): ReportRunbook {
  const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  if (!m) throw new RunbookError(`${file}: no YAML front matter (the file must start with a --- line)`);
  let raw: unknown;
  try {
    raw = parseYaml(m[1]!);
  } catch (e) {
    throw new RunbookError(`${file}: front matter is not valid YAML (${(e as Error).message.split('\n')[0]})`);
  }
  const parsed = ReportRunbookSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown key ${i.keys.map((k) => `"${k}"`).join(', ')}`
        : `${i.path.join('.')}: ${i.message}`,
    );
    throw new RunbookError(`${file}: ${issues.join('; ')}`);
  }
  return parsed.data;
}

/** Every report runbook (`*.md` directly in the folder; operator runbooks live in a subfolder), ids unique. */
export function loadReportRunbooks(dir: string): ReportRunbook[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .sort();
  const runbooks = files.map((f) => parseRunbook(readFileSync(join(dir, f), 'utf8'), join(dir, f)));
  const seen = new Set<string>();
  for (const [i, r] of runbooks.entries()) {
    if (seen.has(r.id)) throw new RunbookError(`${join(dir, files[i]!)}: id "${r.id}" is used by another runbook`);
    seen.add(r.id);
  }
  return runbooks;
}

export type { ReportRunbook } from './runbook-schema.js';
