/**
 * The compare page: the loss and metric curves of several runs on shared charts (one colour per run,
 * train solid, validation dashed), with each run's health and last values. Updates live.
 */
import type { RunDetail, ScalarsPayload } from '../server/api-types.js';
import { api } from './api.js';
import { RUN_PALETTE } from './colors.js';
import type { ChartLine } from './curve-chart.js';
import { CurveChart } from './curve-chart.js';
import { el, replaceChildren } from './dom.js';
import { fmtNum, fmtStep } from './format.js';
import { healthBadge } from './health-badge.js';
import type { Live } from './live.js';
import type { Page } from './page.js';

/** Most runs drawn on one compare chart. */
const MAX_RUNS = 10;

interface Loaded {
  readonly detail: RunDetail;
  readonly scalars: ScalarsPayload;
}

/**
 * Renders the compare page for run ids `ids` into `root`.
 * @example
 * const page = comparePage(main, ['a1b2c3d4e5f6', '0f9e8d7c6b5a'], live);
 */
export function comparePage(root: HTMLElement, ids: readonly string[], live: Live): Page {
  const abort = new AbortController();
  const chosen = ids.slice(0, MAX_RUNS);
  const loaded = new Map<string, Loaded>();
  let smoothing = 0;
  let logY = false;
  const table = el('tbody', {});
  const chartsEl = el('div', { class: 'charts' });
  const smooth = el('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: 0, 'aria-label': 'smoothing', class: 'smoothing' });
  const log = el('input', { type: 'checkbox', class: 'log-scale' });
  const page = el(
    'div',
    { class: 'compare-page' },
    el('nav', { class: 'crumbs' }, el('a', { href: '#/' }, '← all runs')),
    el('h1', {}, `Compare ${chosen.length} runs`),
    ids.length > MAX_RUNS ? el('p', { class: 'note' }, `Showing the first ${MAX_RUNS} of ${ids.length} selected runs.`) : null,
    el('table', { class: 'runs compare-table' }, el('thead', {}, el('tr', {}, el('th', {}, ''), el('th', {}, 'Health'), el('th', {}, 'Run'), el('th', {}, 'Steps'), el('th', {}, 'Train loss'), el('th', {}, 'Val loss'), el('th', {}, 'Worst finding'))), table),
    el('div', { class: 'toolbar', role: 'toolbar' }, el('label', { class: 'control' }, 'smoothing ', smooth), el('label', { class: 'control' }, log, ' log scale'), el('span', { class: 'hint' }, 'solid: train · dashed: validation')),
    chartsEl,
  );
  root.appendChild(page);
  const loss = new CurveChart(chartsEl, { key: 'compare-loss', title: 'Loss', xLabel: 'step', logY, smoothing, height: 300 });
  const metric = new CurveChart(chartsEl, { key: 'compare-metric', title: 'Metric', xLabel: 'step', logY: false, smoothing, height: 260 });

  const draw = (): void => {
    const lossLines: ChartLine[] = [];
    const metricLines: ChartLine[] = [];
    const units = new Set<string>();
    chosen.forEach((id, i) => {
      const l = loaded.get(id);
      if (!l) return;
      const color = RUN_PALETTE[i % RUN_PALETTE.length] as string;
      const c = l.detail.curves;
      const line = (tag: string | null | undefined, dashed: boolean, suffix: string): ChartLine | null => {
        const s = tag ? l.scalars.series.find((x) => x.tag === tag) : undefined;
        if (!s) return null;
        units.add(s.unit);
        return { label: `${l.detail.summary.name} · ${suffix}`, color, ...(dashed ? { dash: [6, 4] } : {}), x: s.steps, y: s.values, nonFinite: s.nonFinite.map((m) => ({ x: m.step, value: m.value, count: m.count })) };
      };
      for (const x of [line(c?.trainLoss, false, 'train'), line(c?.valLoss, true, 'val')]) if (x) lossLines.push(x);
      for (const x of [line(c?.trainMetric, false, 'train'), line(c?.valMetric, true, 'val')]) if (x) metricLines.push(x);
    });
    const xLabel = units.size === 1 ? [...units][0] as string : 'step / epoch';
    loss.update({ xLabel });
    metric.update({ xLabel });
    loss.setLines(lossLines);
    metric.setLines(metricLines);
    metric.root.style.display = metricLines.length === 0 ? 'none' : '';
    replaceChildren(
      table,
      ...chosen.map((id, i) => {
        const s = loaded.get(id)?.detail.summary;
        return el(
          'tr',
          { 'data-run-id': id },
          el('td', {}, el('span', { class: 'swatch', style: `background:${RUN_PALETTE[i % RUN_PALETTE.length] as string}` })),
          el('td', {}, healthBadge(s?.health ?? null)),
          el('td', { class: 'name' }, el('a', { href: `#/run/${id}` }, s?.name ?? id)),
          el('td', { class: 'num' }, fmtStep(s?.lastStep)),
          el('td', { class: 'num' }, fmtNum(s?.trainLoss?.value ?? null)),
          el('td', { class: 'num' }, fmtNum(s?.valLoss?.value ?? null)),
          el('td', {}, s?.worst ? `${s.worst.check} ${s.worst.title}` : ''),
        );
      }),
    );
  };

  const load = async (id: string): Promise<void> => {
    const detail = await api.run(id, abort.signal);
    const c = detail.curves;
    const tags = [c?.trainLoss, c?.valLoss, c?.trainMetric, c?.valMetric].filter((t): t is string => typeof t === 'string');
    const scalars = await api.scalars(id, tags, Math.max(200, Math.min(2000, chartsEl.clientWidth || 800)), undefined, abort.signal);
    loaded.set(id, { detail, scalars });
  };

  smooth.addEventListener('input', () => {
    smoothing = Number(smooth.value);
    loss.update({ smoothing });
    metric.update({ smoothing });
  });
  log.addEventListener('change', () => {
    logY = log.checked;
    loss.update({ logY });
  });

  Promise.all(chosen.map(load))
    .then(draw)
    .catch((err: unknown) => {
      if (!abort.signal.aborted) chartsEl.prepend(el('p', { class: 'error' }, `Cannot compare: ${err instanceof Error ? err.message : String(err)}`));
    });

  const versions = new Map<string, number>();
  const off = live.on('run-updated', (s) => {
    if (!chosen.includes(s.id) || versions.get(s.id) === s.version) return;
    versions.set(s.id, s.version);
    load(s.id).then(draw).catch(() => undefined);
  });

  const offHello = live.on('hello', () => void Promise.all(chosen.map(load)).then(draw).catch(() => undefined));

  return {
    destroy() {
      abort.abort();
      off();
      offHello();
      loss.destroy();
      metric.destroy();
      page.remove();
    },
  };
}
