// --format markdown: a summary to paste into a migration pull request: totals, fixes per
// transform, unsafe fixes held back, files left untouched by errors, and a table of changed files.
// It stays under GitHub's 65,536-character limit for a description: long lists end with
// "… and N more" (the --report JSON has everything).
import type { Severity, Transform } from '../types.js';
import type { FileOutcome } from './job.js';
import type { Tally } from './tally.js';

/** Long tables fold away so the description stays readable. */
const FOLD_ROWS = 25;
/** Characters for the whole summary (GitHub takes 65,536 in a pull-request description). */
export const MARKDOWN_BUDGET = 60_000;
const MAX_MESSAGE = 160;

const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const code = (s: string) => {
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest ? ' ' : ''}${cell(s)}${longest ? ' ' : ''}${fence}`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const short = (s: string) => {
  const line = s.split('\n')[0]!;
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
};

/** Adds lines while the budget lasts; then one "… and N more" line. */
class Budget {
  constructor(private left: number) {}
  take(lines: string[]): boolean {
    const size = lines.reduce((n, l) => n + l.length + 1, 0);
    if (size > this.left) return false;
    this.left -= size;
    return true;
  }
  list(out: string[], items: string[], more: (n: number) => string): void {
    let i = 0;
    for (; i < items.length; i++) if (!this.take([items[i]!])) break;
    out.push(...items.slice(0, i));
    if (i < items.length) out.push(more(items.length - i));
  }
}

function table(header: string[], align: string[], rows: string[][], budget: Budget, what: string): string[] {
  const head = [`| ${header.join(' | ')} |`, `| ${align.join(' | ')} |`];
  budget.take(head);
  const body: string[] = [];
  budget.list(body, rows.map((r) => `| ${r.join(' | ')} |`), (n) => `\n… and ${plural(n, `more ${what}`)} (see the JSON report: --report)`);
  const lines = [...head, ...body];
  if (rows.length <= FOLD_ROWS) return lines;
  return [`<details><summary>${plural(rows.length, what)}</summary>`, '', ...lines, '', '</details>'];
}

export interface MarkdownOptions {
  mode: 'dry-run' | 'write' | 'output-dir';
  interrupted: boolean;
}

export function markdownSummary(outcomes: readonly FileOutcome[], tally: Tally, transforms: readonly Transform[], options: MarkdownOptions): string {
  const meta = new Map(transforms.map((t) => [t.meta.id, t.meta]));
  const out: string[] = [];
  const verb = options.mode === 'dry-run' ? 'would change' : 'changed';
  out.push('## tapfix: CloudFormation fixes', '');
  if (options.interrupted) out.push('> **The run was interrupted**: the counts below cover only the files processed.', '');
  out.push(
    `Scanned ${plural(tally.files, 'file')} (${plural(tally.templates, 'template')}): ` +
      `**${tally.changed} ${verb}**, ${tally.unchanged} unchanged, ${tally.skipped} skipped (not templates), ` +
      `${plural(tally.errorFiles, 'file')} with errors. ` +
      `${plural(tally.applied, 'fix', 'fixes')} ${options.mode === 'dry-run' ? 'to apply' : 'applied'}` +
      (tally.held ? `; ${plural(tally.held, 'unsafe fix', 'unsafe fixes')} held back.` : '.'),
    '',
  );

  // Each list gets a share of what is left, so a long one cannot crowd out the others.
  const left = () => MARKDOWN_BUDGET - 400 - out.reduce((n, l) => n + l.length + 1, 0);
  const share = (part: number) => new Budget(Math.max(0, Math.floor(left() * part)));

  const ranked = tally.ranked().filter(([, t]) => t.applied || t.held || t.findings);
  if (ranked.length) {
    out.push('### Fixes per transform', '');
    const rows = ranked.map(([id, t]) => {
      const m = meta.get(id);
      return [code(id), cell(m?.title ?? id), (m?.severity ?? '') as Severity | '', m?.safety ?? '', String(t.applied), String(t.files), String(t.held), String(t.findings - t.applied - t.held)];
    });
    out.push(
      ...table(['Transform', 'What it fixes', 'Severity', 'Safety', 'Fixes', 'Files', 'Held back', 'Not fixable'], ['---', '---', '---', '---', '---:', '---:', '---:', '---:'], rows, share(1), 'transform'),
      '',
    );
  }

  const held = outcomes.flatMap((o) => (o.result?.findings ?? []).filter((f) => f.fix === 'held').map((f) => ({ o, f })));
  if (held.length) {
    out.push(
      '### Unsafe fixes held back',
      '',
      '> [!WARNING]',
      '> These fixes can replace a resource or change how it behaves, so they were not applied. Review each one; `tapfix --unsafe` applies them.',
      '',
    );
    share(0.45).list(
      out,
      held.map(({ o, f }) => `- ${code(`${o.path}:${f.line}`)} ${code(f.transform)}: ${cell(short(f.message))}`),
      (n) => `- … and ${n} more (see the JSON report: --report)`,
    );
    out.push('');
  }

  const failed = outcomes.filter((o) => o.error || (o.result?.errors.length ?? 0) > 0);
  if (failed.length) {
    out.push('### Errors (files left untouched)', '');
    const items = failed.flatMap((o) =>
      [...(o.error ? [{ message: o.error, line: 1, col: 1 }] : []), ...(o.result?.errors ?? [])].map((p) => `- ${code(`${o.path}:${p.line}:${p.col}`)}: ${cell(short(p.message))}`),
    );
    share(0.3).list(out, items, (n) => `- … and ${n} more`);
    out.push('');
  }

  const changed = outcomes.filter((o) => o.result?.status === 'changed' && !o.error);
  if (changed.length) {
    out.push('### Files', '');
    const rows = changed.map((o) => {
      const f = o.result!.findings;
      const applied = f.filter((x) => x.fix === 'applied');
      const ids = [...new Set(applied.map((x) => x.transform))];
      return [code(o.path), String(applied.length), String(f.filter((x) => x.fix === 'held').length), ids.map((id) => code(id)).join(', ')];
    });
    out.push(...table(['File', 'Fixes', 'Held back', 'Transforms'], ['---', '---:', '---:', '---'], rows, share(1), 'file'), '');
  }
  return out.join('\n');
}
