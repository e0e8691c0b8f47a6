/**
 * The terminal report of a sweep (more than {@link SWEEP_THRESHOLD} runs): a headline; a table of
 * runs worst first (health, worst finding, steps, last train/val loss, the parameters that differ);
 * the findings grouped by check across runs, each with its explanation, the parameter values that go
 * with it, its next actions said once and one row per run; the worst few runs in full; the input
 * problems; and the headline again as the last line. Every line fits `width` columns.
 */
import { createColors } from 'picocolors';
import type { RunReport } from '../diagnose/diagnose.js';
import type { Diagnosis } from '../diagnose/diagnose-paths.js';
import type { Health, SweepCounts } from '../sweep/sweep.js';
import { health, realFindings } from '../sweep/sweep.js';
import { formatNumber } from './format-number.js';
import { describeSteps } from './summary.js';
import type { GroupView, SweepView } from './sweep-view.js';
import { paramCell, sweepView } from './sweep-view.js';
import type { Paint } from './text.js';
import { ICON, renderRun } from './text.js';

/** Options of {@link renderSweepText}. */
export interface SweepTextOptions {
  readonly color?: boolean;
  /** Also list runs without findings in the table and the "too little data" notes in the details (default true). */
  readonly verbose?: boolean;
  /** Terminal width in columns (default 100, at least 40). */
  readonly width?: number;
}

/** Run names listed in a check's header line at most. */
const NAMES_LISTED = 20;
/** Per-run rows under a check at most. */
const ROWS_LISTED = 12;
/** Input problems listed at most. */
const PROBLEMS_LISTED = 10;
/** Fewest columns left for a finding's message on its run's row; below that it goes on lines of its own. */
const MIN_MESSAGE = 40;
/** Prose (explanations, actions) wraps at most this wide, however wide the terminal. */
const PROSE_WIDTH = 120;

/** Drop rank of the parameter columns after the first (the last goes first); the first goes after `steps`. */
const PARAM_DROP = 100;

/**
 * Renders a diagnosis as a sweep for the terminal.
 * @example
 * process.stdout.write(renderSweepText(diagnosis, { color: true, width: process.stdout.columns }));
 */
export function renderSweepText(diagnosis: Diagnosis, options: SweepTextOptions = {}): string {
  const view = sweepView(diagnosis);
  const c = createColors(options.color ?? false);
  const paint: Paint = { error: c.red, warning: c.yellow, info: c.cyan, ok: c.green };
  const verbose = options.verbose ?? true;
  const width = Math.max(40, Math.floor(options.width ?? 100));
  const prose = Math.min(width, PROSE_WIDTH);
  const out: string[] = [];
  const head = headline(view.sweep.counts, paint, c.bold, width);
  out.push(head, '');
  out.push(...runTable(view, paint, c, width, verbose), '');
  if (view.groups.length > 0) {
    out.push(c.bold('Findings by check'), '');
    for (const g of view.groups) out.push(...groupLines(g, view, paint, c, width, prose), '');
  }
  if (view.detailed.length > 0) {
    const all = view.diagnosis.runs.length;
    out.push(c.bold(fit(`The ${view.detailed.length === 1 ? 'worst run' : `${view.detailed.length} worst runs`} in full (all ${all}: --details)`, width)), '');
    for (const run of view.detailed) out.push(fitBlock(renderRun(run, c, paint, verbose, prose, view.params), width), '');
  }
  const problems = view.diagnosis.problems;
  if (problems.length > 0) {
    out.push(c.bold(`Input problems (${problems.length}):`));
    for (const p of problems.slice(0, PROBLEMS_LISTED)) {
      const where = p.message.startsWith(p.file) ? '' : `${p.file}: `;
      out.push(...wrapHard(`${p.code} ${where}${p.message}`, width, '  ', '    ').map((l, i) => (i === 0 ? l.replace(p.code, paint.warning(p.code)) : l)));
    }
    if (problems.length > PROBLEMS_LISTED) out.push(c.dim(`  … ${problems.length - PROBLEMS_LISTED} more (--details, or --format json)`));
    out.push('');
  }
  out.push(head);
  return `${out.join('\n')}\n`;
}

/** The one-line summary (wrapped at ` · ` when the terminal is narrow). */
function headline(counts: SweepCounts, paint: Paint, bold: (s: string) => string, width: number): string {
  const h = counts.runsByHealth;
  const parts: Array<[string, (s: string) => string]> = [
    [`nndoctor: ${counts.runs} run${counts.runs === 1 ? '' : 's'}:`, bold],
    [`${ICON.error} ${h.error} with errors`, h.error > 0 ? paint.error : (s) => s],
    [`${ICON.warning} ${h.warning} with warnings`, h.warning > 0 ? paint.warning : (s) => s],
    [`${ICON.info} ${h.info} info`, h.info > 0 ? paint.info : (s) => s],
    [`${ICON.ok} ${h.ok} ok`, paint.ok],
    [`${counts.problems} input problem${counts.problems === 1 ? '' : 's'}`, counts.problems > 0 ? paint.warning : (s) => s],
  ];
  const lines: string[] = [];
  let plain = '';
  let painted = '';
  for (const [text, p] of parts) {
    if (plain.length > 0 && plain.length + 3 + text.length > width) {
      lines.push(painted);
      plain = `  ${text}`;
      painted = `  ${p(text)}`;
    } else if (plain.length > 0) {
      const sep = plain.endsWith(':') ? ' ' : ' · ';
      plain += `${sep}${text}`;
      painted += `${sep}${p(text)}`;
    } else {
      plain = text;
      painted = p(text);
    }
  }
  lines.push(painted);
  return lines.join('\n');
}

interface Column {
  readonly header: string;
  readonly cells: readonly string[];
  /** Text after each cell that is kept whole when the cell is cut. */
  readonly suffixes?: readonly string[];
  readonly right?: boolean;
  /** Narrowest width before the column is dropped instead. */
  readonly min: number;
  /** Widest the column gets. */
  readonly max: number;
  /** Width it is narrowed to before parameter columns are dropped (default `max`). */
  readonly comfort?: number;
  /** Where to cut a cell that is too long: keep its end (run names) or its start. */
  readonly keepEnd?: boolean;
  /** Dropped when the table is too wide: higher first; 0 = never; parameters >= {@link PARAM_DROP}. */
  readonly drop: number;
  readonly paint?: (cell: string, row: number) => string;
}

/** The runs table: fixed columns, then the differing parameters as far as the width allows. */
function runTable(view: SweepView, paint: Paint, c: ReturnType<typeof createColors>, width: number, verbose: boolean): string[] {
  const rows = verbose ? view.order : view.order.filter((r) => health(r) !== 'ok');
  const healths = rows.map(health);
  const title = `Runs${view.under ? ` under ${view.under}` : ''}, worst first`;
  const out = [c.bold(fit(title, width))];
  const columns: Column[] = [
    { header: ' ', cells: healths.map((h) => ICON[h]), min: 1, max: 1, drop: 0, paint: (s, i) => paint[healths[i] as Health](s) },
    { header: 'run', cells: rows.map((r) => view.name(r.run)), min: 10, max: 32, comfort: 24, keepEnd: true, drop: 0 },
    { header: 'worst finding', cells: rows.map(worstCell), suffixes: rows.map(otherChecks), min: 10, max: 28, comfort: 22, drop: 0 },
    { header: 'steps', cells: rows.map((r) => (r.lastStep === null ? '—' : `${r.lastStep}${r.unit === 'epoch' ? ' ep' : ''}`)), right: true, min: 5, max: 10, drop: 4 },
    { header: 'train loss', cells: rows.map((r) => lossCell(r.lastLoss?.train)), right: true, min: 8, max: 10, drop: 1 },
    { header: 'val loss', cells: rows.map((r) => lossCell(r.lastLoss?.val)), right: true, min: 8, max: 10, drop: 2 },
    ...view.params.map((p, i): Column => ({ header: p, cells: rows.map((r) => paramCell(r.params?.[p])), right: true, min: 6, max: 16, drop: i === 0 ? 3 : PARAM_DROP + i })),
  ];
  const { lines, dropped } = fitTable(columns, width);
  if (rows.length === 0) out.push('  (no runs)');
  else out.push(c.dim(lines[0] as string), ...lines.slice(1));
  const hidden = view.order.length - rows.length;
  if (hidden > 0) out.push(c.dim(fit(`  + ${hidden} run${hidden === 1 ? '' : 's'} without findings (leave out --quiet to list them)`, width)));
  const paramNames = new Set(view.params);
  const droppedParams = view.params.filter((p) => dropped.some((col) => col.header === p && paramNames.has(col.header)));
  if (droppedParams.length > 0) {
    out.push(...wrapHard(`+ ${droppedParams.length} more parameter${droppedParams.length === 1 ? '' : 's'} differ (not shown at this width; see --format json): ${droppedParams.join(', ')}`, width, '  ', '    ').map(c.dim));
  }
  return out;
}

function worstCell(r: RunReport): string {
  const first = realFindings(r)[0];
  return first ? `${first.check} ${first.title}` : '—';
}

/** The run's other checks, kept when the worst-finding cell is cut: ` +C8`. */
function otherChecks(r: RunReport): string {
  const real = realFindings(r);
  const others = [...new Set(real.map((f) => f.check))].filter((c) => c !== real[0]?.check);
  return others.length > 0 ? ` +${others.join(',')}` : '';
}

function lossCell(v: number | null | undefined): string {
  return v === null || v === undefined ? '—' : formatNumber(v);
}

/**
 * Lays out columns within `width`: first narrows the run and finding columns to a comfortable width,
 * then drops parameter columns from the last, then narrows to the minimum, then drops the optional
 * fixed columns.
 */
function fitTable(columnsIn: readonly Column[], width: number): { lines: string[]; dropped: Column[] } {
  let columns = [...columnsIn];
  const dropped: Column[] = [];
  const full = (col: Column, r: number): string => `${col.cells[r] as string}${col.suffixes?.[r] ?? ''}`;
  let widths = columns.map((col) => Math.min(col.max, Math.max(col.header.length, ...col.cells.map((_, r) => full(col, r).length))));
  const tooWide = (): boolean => widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) + 2 > width;
  const shrink = (floor: (col: Column) => number): void => {
    while (tooWide()) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > floor(columns[i] as Column) && (widest < 0 || w > (widths[widest] as number))) widest = i;
      });
      if (widest < 0) return;
      widths[widest] = (widths[widest] as number) - 1;
    }
  };
  const drop = (which: (col: Column) => boolean): void => {
    while (tooWide()) {
      let pick = -1;
      columns.forEach((col, i) => {
        if (which(col) && (pick < 0 || col.drop >= (columns[pick] as Column).drop)) pick = i;
      });
      if (pick < 0) return;
      dropped.push(columns[pick] as Column);
      columns = columns.filter((_, i) => i !== pick);
      widths = widths.filter((_, i) => i !== pick);
    }
  };
  shrink((col) => col.comfort ?? col.max);
  drop((col) => col.drop >= PARAM_DROP);
  shrink((col) => col.min);
  drop((col) => col.drop > 0);
  const rowCount = columns[0]?.cells.length ?? 0;
  const line = (cells: string[], painter?: (s: string, i: number) => string): string =>
    `  ${cells.map((s, i) => (painter ? painter(s, i) : s)).join('  ')}`.replace(/\s+$/, '');
  const lines = [line(columns.map((col, i) => pad(clip(col.header, widths[i] as number, false), widths[i] as number, col.right === true)))];
  for (let r = 0; r < rowCount; r++) {
    const cells = columns.map((col, i) => {
      const w = widths[i] as number;
      const suffix = col.suffixes?.[r] ?? '';
      const body = suffix.length > 0 && suffix.length < w - 2 ? `${clip(col.cells[r] as string, w - suffix.length, col.keepEnd === true)}${suffix}` : clip(full(col, r), w, col.keepEnd === true);
      return pad(body, w, col.right === true);
    });
    lines.push(line(cells, (s, i) => columns[i]?.paint?.(s, r) ?? s));
  }
  return { lines, dropped };
}

function pad(s: string, w: number, right: boolean): string {
  return right ? s.padStart(w) : s.padEnd(w);
}

/** Cuts `s` to `w` columns with an ellipsis, keeping its start or its end. */
function clip(s: string, w: number, keepEnd: boolean): string {
  if (s.length <= w) return s;
  if (w <= 1) return s.slice(0, w);
  return keepEnd ? `…${s.slice(s.length - w + 1)}` : `${s.slice(0, w - 1)}…`;
}

/** Cuts a line to the width. */
function fit(s: string, width: number): string {
  return clip(s, width, false);
}

/** Word wrap that also breaks words longer than a line (paths), so every line fits. */
function wrapHard(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    let w = word;
    while (w.length > 0) {
      const room = width - line.length - (empty ? 0 : 1);
      if (w.length <= room) {
        line += (empty ? '' : ' ') + w;
        empty = false;
        w = '';
      } else if (!empty) {
        lines.push(line);
        line = rest;
        empty = true;
      } else {
        line += w.slice(0, Math.max(1, room));
        w = w.slice(Math.max(1, room));
        lines.push(line);
        line = rest;
        empty = true;
      }
    }
  }
  if (!empty || lines.length === 0) lines.push(line);
  return lines;
}

/** Re-wraps a rendered block so that none of its lines is wider than `width` (colour codes kept). */
function fitBlock(block: string, width: number): string {
  return block
    .split('\n')
    .flatMap((l) => {
      // eslint-disable-next-line no-control-regex
      const plain = l.replace(/\x1b\[[0-9;]*m/g, '');
      if (plain.length <= width) return [l];
      const indent = /^\s*/.exec(plain)?.[0] ?? '';
      return wrapHard(plain.trimStart(), width, indent, `${indent}  `);
    })
    .join('\n');
}

/** One check across the sweep: header with its runs, explanation, settings, next actions, one row per run. */
function groupLines(g: GroupView, view: SweepView, paint: Paint, c: ReturnType<typeof createColors>, width: number, prose: number): string[] {
  const { group } = g;
  const total = view.diagnosis.runs.length;
  const names = group.runs.slice(0, NAMES_LISTED).map(view.name);
  const more = group.runs.length - names.length;
  const header = `${ICON[group.severity]} ${group.check} ${group.title} - ${group.runs.length} of ${total} runs: ${names.join(', ')}${more > 0 ? `, … ${more} more` : ''}`;
  const out = wrapHard(header, width, '', '    ');
  out[0] = (out[0] as string).replace(`${ICON[group.severity]} ${group.check} ${group.title}`, paint[group.severity](c.bold(`${ICON[group.severity]} ${group.check} ${group.title}`)));
  if (g.description) out.push(...wrapHard(g.description, prose, '  ', '  ').map(c.dim));
  for (const s of g.splits) out.push(...wrapHard(`settings: ${s}`, prose, '  ', '    ').map((l, i) => (i === 0 ? l.replace('settings:', c.bold('settings:')) : l)));
  for (const a of g.actions) out.push(...wrapHard(`→ ${a.text}${a.from ? ` (numbers of ${a.from}; each run's own in --details)` : ''}`, prose, '  ', '    '));
  const rows = g.rows.slice(0, ROWS_LISTED);
  const nameW = Math.min(24, Math.max(...rows.map((r) => view.name(r.run.run).length)));
  const wheres = rows.map((r) => describeSteps(r.finding.steps, r.run.unit) || '—');
  const whereW = Math.min(22, Math.max(...wheres.map((w) => w.length)));
  const inline = width - (4 + nameW + 2 + whereW + 2) >= MIN_MESSAGE;
  rows.forEach((r, i) => {
    const more = r.more > 0 ? ` (+${r.more} more)` : '';
    const lead = `    ${pad(clip(view.name(r.run.run), nameW, true), nameW, false)}  ${pad(clip(wheres[i] as string, whereW, false), whereW, false)}`;
    if (inline) out.push(fit(`${lead}  ${r.finding.message}${more}`, width));
    else {
      out.push(fit(lead.replace(/\s+$/, ''), width));
      const msg = wrapHard(`${r.finding.message}${more}`, width, '      ', '      ');
      out.push(...msg.slice(0, 2).map((l, j) => (j === 1 && msg.length > 2 ? fit(`${l} …`, width) : l)));
    }
  });
  if (g.rows.length > rows.length) out.push(c.dim(fit(`    … ${g.rows.length - rows.length} more run${g.rows.length - rows.length === 1 ? '' : 's'} (--details, or --format json)`, width)));
  return out;
}
