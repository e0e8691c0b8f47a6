/**
 * The run page: loss and metric curves (smoothing, log scale, steps or epochs on x) with every
 * finding drawn where it happened, the findings panel (clicking a finding highlights it on the
 * charts), per-layer panels when the run has them, and live updates while the run is written.
 */
import type { Finding } from '../findings/finding.js';
import type { FindingsPayload, RunDetail, ScalarsPayload, SeriesPayload } from '../server/api-types.js';
import { api } from './api.js';
import { ROLE_COLOR } from './colors.js';
import type { ChartLine } from './curve-chart.js';
import { CurveChart } from './curve-chart.js';
import { el, replaceChildren } from './dom.js';
import type { ChartBand } from './finding-overlay.js';
import { FindingsPanel, findingKey } from './findings-panel.js';
import { fmtNum, fmtStep } from './format.js';
import { healthBadge } from './health-badge.js';
import { LayerPanels } from './layer-panels.js';
import type { Live } from './live.js';
import type { Page } from './page.js';
import type { EpochMap } from './series-data.js';
import { epochMap, toEpoch, toStep } from './series-data.js';

type XMode = 'step' | 'epoch';

interface Settings {
  smoothing: number;
  logY: boolean;
  xMode: XMode;
}

/** A chart of the page and the tags it draws. */
interface ChartSpec {
  readonly key: string;
  readonly title: string;
  readonly lines: ReadonlyArray<{ readonly tag: string; readonly label: string; readonly color: string; readonly dash?: readonly number[] }>;
  chart: CurveChart | null;
  /** Finer data of the zoomed range, merged into the full-range data. */
  zoom: { range: { from: number; to: number }; data: ScalarsPayload } | null;
}

const SETTINGS_KEY = 'nndoctor.run-settings';
/** Most "other scalars" charts drawn before "show all". */
const OTHER_LIMIT = 12;

function loadSettings(): Settings {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<Settings>;
    return { smoothing: typeof s.smoothing === 'number' ? s.smoothing : 0, logY: s.logY === true, xMode: s.xMode === 'epoch' ? 'epoch' : 'step' };
  } catch {
    return { smoothing: 0, logY: false, xMode: 'step' };
  }
}

/** Chart specs from the run's curve roles; other scalars get a small chart each. */
function chartSpecs(detail: RunDetail, showAllOthers: boolean): ChartSpec[] {
  const c = detail.curves;
  const specs: ChartSpec[] = [];
  const used = new Set<string>();
  const add = (key: string, title: string, lines: ChartSpec['lines']): void => {
    const present = lines.filter((l) => l.tag.length > 0);
    if (present.length === 0) return;
    for (const l of present) used.add(l.tag);
    specs.push({ key, title, lines: present, chart: null, zoom: null });
  };
  if (c) {
    add('loss', 'Loss', [
      ...(c.trainLoss ? [{ tag: c.trainLoss, label: `train · ${c.trainLoss}`, color: ROLE_COLOR.train }] : []),
      ...(c.valLoss ? [{ tag: c.valLoss, label: `val · ${c.valLoss}`, color: ROLE_COLOR.val }] : []),
    ]);
    add('metric', 'Metric', [
      ...(c.trainMetric ? [{ tag: c.trainMetric, label: `train · ${c.trainMetric}`, color: ROLE_COLOR.train }] : []),
      ...(c.valMetric ? [{ tag: c.valMetric, label: `val · ${c.valMetric}`, color: ROLE_COLOR.val }] : []),
    ]);
    add('lr', 'Learning rate', c.lr ? [{ tag: c.lr, label: c.lr, color: ROLE_COLOR.other }] : []);
    add('grad-norm', 'Gradient norm', c.gradNorm ? [{ tag: c.gradNorm, label: c.gradNorm, color: ROLE_COLOR.other }] : []);
    if (c.epoch) used.add(c.epoch);
  }
  const others = detail.scalarTags.filter((t) => !t.layer && !used.has(t.tag));
  for (const t of showAllOthers ? others : others.slice(0, OTHER_LIMIT)) {
    specs.push({ key: `scalar:${t.tag}`, title: t.tag, lines: [{ tag: t.tag, label: t.tag, color: ROLE_COLOR.other }], chart: null, zoom: null });
  }
  return specs;
}

/** Data of the zoomed range replaces the full-range points inside that range. */
function merged(full: SeriesPayload, zoom: SeriesPayload | undefined): SeriesPayload {
  if (!zoom || zoom.steps.length === 0) return full;
  const a = zoom.steps[0] as number;
  const b = zoom.steps[zoom.steps.length - 1] as number;
  const steps: number[] = [];
  const values: Array<number | null> = [];
  full.steps.forEach((s, i) => {
    if (s < a) {
      steps.push(s);
      values.push(full.values[i] ?? null);
    }
  });
  steps.push(...zoom.steps);
  values.push(...zoom.values);
  full.steps.forEach((s, i) => {
    if (s > b) {
      steps.push(s);
      values.push(full.values[i] ?? null);
    }
  });
  const nonFinite = [...full.nonFinite.filter((m) => m.step < a || m.step > b), ...zoom.nonFinite].sort((p, q) => p.step - q.step);
  return { ...full, steps, values, nonFinite };
}

/**
 * Renders the run page of run `id` into `root`.
 * @example
 * const page = runPage(main, 'a1b2c3d4e5f6', live);
 * page.destroy();
 */
export function runPage(root: HTMLElement, id: string, live: Live): Page {
  const abort = new AbortController();
  const settings = loadSettings();
  let detail: RunDetail | null = null;
  let findings: FindingsPayload | null = null;
  let full: ScalarsPayload | null = null;
  let map: EpochMap | null = null;
  let specs: ChartSpec[] = [];
  let layers: LayerPanels | null = null;
  let panel: FindingsPanel | null = null;
  let selected: string | null = null;
  let version = -1;
  let refreshing = false;
  let again = false;
  let showAllOthers = false;

  const head = el('div', { class: 'run-head' }, el('p', { class: 'loading' }, 'Reading the run…'));
  const toolbar = el('div', { class: 'toolbar', role: 'toolbar' });
  const charts = el('div', { class: 'charts' });
  const side = el('div', { class: 'side' });
  const body = el('div', { class: 'run-body' }, el('div', { class: 'main-col' }, charts), side);
  const page = el('div', { class: 'run-page', 'data-run-id': id }, el('nav', { class: 'crumbs' }, el('a', { href: '#/' }, '← all runs')), head, toolbar, body);
  root.appendChild(page);

  const saveSettings = (): void => {
    try {
      localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
    } catch {
      // private mode: settings are per page then
    }
  };

  /** The x unit of a chart: epoch when its series are per epoch, else the selected mode (epoch only with a map). */
  const axisUnit = (spec: ChartSpec): XMode => {
    const units = spec.lines.map((l) => full?.series.find((s) => s.tag === l.tag)?.unit ?? 'step');
    if (units.length > 0 && units.every((u) => u === 'epoch')) return 'epoch';
    return settings.xMode === 'epoch' && map ? 'epoch' : 'step';
  };

  const toAxis = (x: number, unit: 'step' | 'epoch', axis: XMode): number | null => {
    if (unit === axis) return x;
    if (!map) return null;
    return axis === 'epoch' ? toEpoch(map, x) : toStep(map, x);
  };

  const linesOf = (spec: ChartSpec): ChartLine[] => {
    const axis = axisUnit(spec);
    const out: ChartLine[] = [];
    for (const l of spec.lines) {
      const base = full?.series.find((s) => s.tag === l.tag);
      if (!base) continue;
      const s = merged(base, spec.zoom?.data.series.find((z) => z.tag === l.tag));
      const conv = (x: number): number => toAxis(x, s.unit, axis) ?? x;
      out.push({
        label: l.label,
        color: l.color,
        ...(l.dash ? { dash: l.dash } : {}),
        x: s.steps.map(conv),
        y: s.values,
        nonFinite: s.nonFinite.map((m) => ({ x: conv(m.step), value: m.value, count: m.count })),
      });
    }
    return out;
  };

  const bandsOf = (spec: ChartSpec, first: boolean): ChartBand[] => {
    if (!findings) return [];
    const axis = axisUnit(spec);
    const tags = new Set(spec.lines.map((l) => l.tag));
    const onAnyChart = (f: Finding): boolean => f.tags.some((t) => specs.some((s) => s.lines.some((l) => l.tag === t)));
    const out: ChartBand[] = [];
    for (const f of findings.findings) {
      if (!f.steps || f.evidence['insufficientData'] === true) continue;
      const here = f.tags.some((t) => tags.has(t)) || (first && f.layer === null && !onAnyChart(f));
      if (!here) continue;
      const from = toAxis(f.steps[0], findings.unit, axis);
      const to = toAxis(f.steps[1], findings.unit, axis);
      if (from === null || to === null) continue;
      out.push({ key: findingKey(f), check: f.check, severity: f.severity, title: f.title, from, to });
    }
    return out;
  };

  const select = (key: string | null): void => {
    selected = key;
    for (const s of specs) s.chart?.highlight(key);
    layers?.highlight(key);
    if (key === null) return;
    const target = specs.find((s) => s.chart?.hasBand(key))?.chart?.root ?? layers?.elementFor(key) ?? null;
    target?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  const scalarWidth = (): number => Math.max(200, Math.min(2000, Math.round(charts.clientWidth || 800)));

  const zoomTo = async (spec: ChartSpec, range: { min: number; max: number } | null): Promise<void> => {
    if (range === null) {
      spec.zoom = null;
      spec.chart?.setLines(linesOf(spec));
      return;
    }
    const axis = axisUnit(spec);
    const unit = full?.series.find((s) => s.tag === spec.lines[0]?.tag)?.unit ?? 'step';
    const from = toAxis(range.min, axis, unit) ?? range.min;
    const to = toAxis(range.max, axis, unit) ?? range.max;
    const data = await api.scalars(id, spec.lines.map((l) => l.tag), scalarWidth(), { from, to }, abort.signal);
    spec.zoom = { range: { from, to }, data };
    spec.chart?.setLines(linesOf(spec));
  };

  const drawCharts = (): void => {
    specs.forEach((spec, i) => {
      const xLabel = axisUnit(spec);
      if (!spec.chart) {
        spec.chart = new CurveChart(charts, {
          key: spec.key,
          title: spec.title,
          xLabel,
          logY: settings.logY,
          smoothing: settings.smoothing,
          height: i < 2 ? 260 : 200,
          onZoom: (range) => void zoomTo(spec, range).catch(() => undefined),
          onBandClick: (key) => panel?.select(key),
        });
        if (i >= 2) spec.chart.root.classList.add('small');
      } else spec.chart.update({ xLabel });
      spec.chart.setLines(linesOf(spec));
      spec.chart.setBands(bandsOf(spec, i === 0));
      if (selected) spec.chart.highlight(selected);
    });
  };

  const renderHead = (d: RunDetail): void => {
    const s = d.summary;
    const roles = d.curves
      ? Object.entries(d.curves)
          .filter(([, tag]) => tag !== null)
          .map(([role, tag]) => `${role} = ${String(tag)}`)
          .join(' · ')
      : '';
    replaceChildren(
      head,
      el('h1', {}, healthBadge(s.health, s.state), ' ', s.name),
      el(
        'p',
        { class: 'facts' },
        `${s.format} · ${s.unit === 'epoch' ? 'epochs' : 'steps'} to ${fmtStep(s.lastStep)} · ${s.points.toLocaleString('en-US')} points`,
        s.trainLoss ? ` · train loss ${fmtNum(s.trainLoss.value)}` : '',
        s.valLoss ? ` · val loss ${fmtNum(s.valLoss.value)}` : '',
      ),
      roles ? el('p', { class: 'roles' }, roles) : null,
      ...d.notes.map((n) => el('p', { class: 'note' }, n)),
      d.problems.length > 0
        ? el('details', { class: 'problems' }, el('summary', {}, `${d.problems.length} input problem(s)`), el('ul', {}, ...d.problems.slice(0, 50).map((p) => el('li', {}, `${p.code}: ${p.message}`))))
        : null,
      el('details', { class: 'files' }, el('summary', {}, `${d.files.length} file(s)`), el('ul', {}, ...d.files.map((f) => el('li', {}, f)))),
    );
  };

  const renderToolbar = (): void => {
    const smooth = el('input', { type: 'range', min: 0, max: 0.99, step: 0.01, value: settings.smoothing, 'aria-label': 'smoothing', class: 'smoothing' });
    const smoothValue = el('output', {}, settings.smoothing.toFixed(2));
    smooth.addEventListener('input', () => {
      settings.smoothing = Number(smooth.value);
      smoothValue.textContent = settings.smoothing.toFixed(2);
      for (const s of specs) s.chart?.update({ smoothing: settings.smoothing });
      layers?.setSmoothing(settings.smoothing);
      saveSettings();
    });
    const log = el('input', { type: 'checkbox', class: 'log-scale', ...(settings.logY ? { checked: true } : {}) });
    log.addEventListener('change', () => {
      settings.logY = log.checked;
      for (const s of specs) s.chart?.update({ logY: settings.logY });
      saveSettings();
    });
    const perEpoch = map === null && (full?.series.length ?? 0) > 0 && (full?.series.every((s) => s.unit === 'epoch') ?? false);
    const shown = perEpoch ? 'epoch' : settings.xMode;
    const xMode = el(
      'select',
      { class: 'x-mode', 'aria-label': 'x axis', ...(map === null ? { disabled: true, title: perEpoch ? 'this run is logged per epoch' : 'no epoch series in this run' } : {}) },
      el('option', { value: 'step', ...(shown === 'step' ? { selected: true } : {}) }, 'steps'),
      el('option', { value: 'epoch', ...(shown === 'epoch' ? { selected: true } : {}) }, 'epochs'),
    );
    xMode.addEventListener('change', () => {
      settings.xMode = xMode.value === 'epoch' ? 'epoch' : 'step';
      for (const s of specs) s.zoom = null;
      drawCharts();
      saveSettings();
    });
    toolbar.dataset['epoch'] = String(map !== null);
    replaceChildren(
      toolbar,
      el('label', { class: 'control' }, 'smoothing ', smooth, ' ', smoothValue),
      el('label', { class: 'control' }, log, ' log scale'),
      el('label', { class: 'control' }, 'x axis ', xMode, perEpoch ? el('span', { class: 'hint' }, ' (per-epoch log)') : null),
      el('span', { class: 'hint' }, 'drag on a chart to zoom, double-click to zoom out'),
    );
  };

  /** Fetches what changed and redraws; at most one refresh runs at a time. */
  const refresh = async (): Promise<void> => {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      do {
        again = false;
        detail = await api.run(id, abort.signal);
        const tagsBefore = specs.flatMap((s) => s.lines.map((l) => l.tag)).join('\n');
        const fresh = chartSpecs(detail, showAllOthers);
        const tagsNow = fresh.flatMap((s) => s.lines.map((l) => l.tag)).join('\n');
        if (tagsNow !== tagsBefore) {
          for (const s of specs) s.chart?.destroy();
          specs = fresh;
        }
        const tags = [...new Set(specs.flatMap((s) => s.lines.map((l) => l.tag)))];
        // Curves first (the run is read), findings when the checks are done (they may take longer).
        const findingsCall = api.findings(id, abort.signal);
        findingsCall.catch(() => undefined);
        full = await api.scalars(id, tags, scalarWidth(), undefined, abort.signal);
        map = epochMap(full.epoch);
        for (const s of specs) {
          if (s.zoom) s.zoom = { range: s.zoom.range, data: await api.scalars(id, s.lines.map((l) => l.tag), scalarWidth(), s.zoom.range, abort.signal) };
        }
        version = detail.summary.version;
        renderHead(detail);
        if (!toolbar.hasChildNodes() || toolbar.dataset['epoch'] !== String(map !== null)) renderToolbar();
        drawCharts();
        const used = new Set([...specs.flatMap((sp) => sp.lines.map((l) => l.tag)), ...(detail.curves.epoch ? [detail.curves.epoch] : [])]);
        const others = detail.scalarTags.filter((t) => !t.layer && !used.has(t.tag)).length;
        const more = charts.querySelector('.show-all');
        if (others > 0 && !showAllOthers && !more) {
          charts.appendChild(
            el('button', { class: 'show-all', type: 'button', onclick: () => {
              showAllOthers = true;
              charts.querySelector('.show-all')?.remove();
              void refresh();
            } }, `show all scalars (${others} more)`),
          );
        }
        if (!panel) {
          panel = new FindingsPanel(side, select);
          panel.root.appendChild(el('p', { class: 'loading' }, 'Running the checks…'));
        }
        const f = await findingsCall;
        findings = f;
        for (const [i, s] of specs.entries()) s.chart?.setBands(bandsOf(s, i === 0));
        if (f.version !== version || detail.summary.health === null) {
          // The checks finished after the summary above was taken: show their verdict in the header.
          detail = await api.run(id, abort.signal);
          renderHead(detail);
        }
        panel.show(f.findings, f.unit);
        if (selected) panel.select(selected);
        if (!layers && LayerPanels.wanted(detail)) layers = new LayerPanels(body.querySelector('.main-col') as HTMLElement, detail, { smoothing: settings.smoothing, onBandClick: (key) => panel?.select(key) });
        await layers?.refresh(f.findings, f.unit, abort.signal);
        page.dataset['version'] = String(version);
      } while (again && !abort.signal.aborted);
    } finally {
      refreshing = false;
    }
  };

  refresh().catch((err: unknown) => {
    if (abort.signal.aborted) return;
    replaceChildren(head, el('p', { class: 'error' }, `Cannot show this run: ${err instanceof Error ? err.message : String(err)}`));
  });

  let pending: ReturnType<typeof setTimeout> | null = null;
  let lastSig = '';
  const offUpdate = live.on('run-updated', (s) => {
    const sig = `${s.version}|${s.counts.error}|${s.counts.warning}|${s.counts.info}|${s.worst?.check ?? ''}`;
    if (s.id !== id || sig === lastSig || pending) return;
    lastSig = sig;
    // Coalesce bursts of updates: one refresh at most every 200 ms.
    pending = setTimeout(() => {
      pending = null;
      refresh().catch(() => undefined);
    }, 200);
  });

  // After a (re)connection of the live stream, catch up on what its events would have said.
  const offHello = live.on('hello', () => void refresh().catch(() => undefined));

  return {
    destroy() {
      abort.abort();
      offUpdate();
      offHello();
      if (pending) clearTimeout(pending);
      for (const s of specs) s.chart?.destroy();
      layers?.destroy();
      page.remove();
    },
  };
}
