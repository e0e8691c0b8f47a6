/**
 * The runs page: every run with its health (worst finding), format, steps and last loss values;
 * filter by text, health and format; sort by any column; select runs to compare. Rows update live.
 */
import type { Health, RunSummary } from '../server/api-types.js';
import { api } from './api.js';
import { el, replaceChildren } from './dom.js';
import { fmtAgo, fmtNum, fmtStep } from './format.js';
import { healthBadge } from './health-badge.js';
import type { Live } from './live.js';
import type { Page } from './page.js';

type SortKey = 'health' | 'name' | 'format' | 'steps' | 'trainLoss' | 'valLoss' | 'findings' | 'updated';

interface ViewState {
  text: string;
  health: Health | 'all' | 'problems';
  format: string;
  sort: SortKey;
  desc: boolean;
  selected: Set<string>;
}

/** Kept while the app is open, so coming back from a run keeps the filters and the selection. */
const view: ViewState = { text: '', health: 'all', format: 'all', sort: 'health', desc: true, selected: new Set() };

const RANK: Record<Health, number> = { error: 3, warning: 2, info: 1, ok: 0 };

function lossNumber(v: RunSummary['trainLoss']): number {
  if (!v) return NaN;
  return typeof v.value === 'number' ? v.value : Infinity;
}

function sortValue(r: RunSummary, key: SortKey): number | string {
  switch (key) {
    case 'health':
      return r.health === null ? -1 : RANK[r.health];
    case 'name':
      return r.name.toLowerCase();
    case 'format':
      return r.format;
    case 'steps':
      return r.lastStep ?? -1;
    case 'trainLoss':
      return lossNumber(r.trainLoss);
    case 'valLoss':
      return lossNumber(r.valLoss);
    case 'findings':
      return r.counts.error * 1e6 + r.counts.warning * 1e3 + r.counts.info;
    case 'updated':
      return r.updatedAt;
  }
}

function compare(a: RunSummary, b: RunSummary, key: SortKey, desc: boolean): number {
  const x = sortValue(a, key);
  const y = sortValue(b, key);
  let c: number;
  if (typeof x === 'string' || typeof y === 'string') c = String(x).localeCompare(String(y), 'en', { numeric: true });
  else if (Number.isNaN(x) || Number.isNaN(y)) return Number.isNaN(x) ? (Number.isNaN(y) ? 0 : 1) : -1; // missing values last
  else c = x - y;
  if (desc) c = -c;
  return c || a.name.localeCompare(b.name, 'en', { numeric: true });
}

function matches(r: RunSummary): boolean {
  if (view.text && !`${r.name} ${r.format} ${r.worst?.check ?? ''} ${r.worst?.title ?? ''}`.toLowerCase().includes(view.text.toLowerCase())) return false;
  if (view.format !== 'all' && r.format !== view.format) return false;
  if (view.health === 'problems') return r.health === 'error' || r.health === 'warning';
  if (view.health !== 'all' && r.health !== view.health) return false;
  return true;
}

/**
 * Renders the runs page into `root`.
 * @example
 * const page = runsPage(main, live);
 */
export function runsPage(root: HTMLElement, live: Live): Page {
  const abort = new AbortController();
  const runs = new Map<string, RunSummary>();
  let paths: readonly string[] = [];
  const summary = el('p', { class: 'summary' }, 'Finding runs…');
  const tbody = el('tbody', {});
  const formatSelect = el('select', { 'aria-label': 'format', class: 'format-filter' }, el('option', { value: 'all' }, 'all formats'));
  const compareButton = el('button', { type: 'button', class: 'compare', disabled: true }, 'Compare selected');
  const text = el('input', { type: 'search', placeholder: 'filter runs (name, format, check)…', value: view.text, 'aria-label': 'filter runs', class: 'filter' });
  const health = el(
    'select',
    { 'aria-label': 'health', class: 'health-filter' },
    ...(
      [
        ['all', 'any health'],
        ['problems', 'errors and warnings'],
        ['error', 'error'],
        ['warning', 'warning'],
        ['info', 'info'],
        ['ok', 'ok'],
      ] as const
    ).map(([v, label]) => el('option', { value: v, ...(view.health === v ? { selected: true } : {}) }, label)),
  );
  const headers: Array<[SortKey | null, string]> = [
    [null, ''],
    ['health', 'Health'],
    ['name', 'Run'],
    ['format', 'Format'],
    ['steps', 'Steps'],
    ['trainLoss', 'Train loss'],
    ['valLoss', 'Val loss'],
    ['findings', 'Findings'],
    ['updated', 'Updated'],
  ];
  const thead = el('thead', {}, el('tr', {}));
  const table = el('table', { class: 'runs' }, thead, tbody);
  const page = el(
    'div',
    { class: 'runs-page' },
    el('div', { class: 'runs-head' }, el('h1', {}, 'Runs'), summary),
    el('div', { class: 'toolbar', role: 'toolbar' }, text, health, formatSelect, compareButton),
    el('div', { class: 'table-wrap' }, table),
  );
  root.appendChild(page);

  const renderHeader = (): void => {
    replaceChildren(
      thead.firstElementChild as HTMLElement,
      ...headers.map(([key, label]) => {
        if (key === null) return el('th', { class: 'select-col' });
        const active = view.sort === key;
        const th = el('th', { class: `sortable${active ? ' active' : ''}`, 'data-sort': key, 'aria-sort': active ? (view.desc ? 'descending' : 'ascending') : 'none', tabindex: 0 }, label, active ? (view.desc ? ' ▾' : ' ▴') : '');
        const sortBy = (): void => {
          if (view.sort === key) view.desc = !view.desc;
          else {
            view.sort = key;
            view.desc = key === 'health' || key === 'findings' || key === 'updated' || key === 'steps';
          }
          renderHeader();
          schedule();
        };
        th.addEventListener('click', sortBy);
        th.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') sortBy();
        });
        return th;
      }),
    );
  };

  const row = (r: RunSummary): HTMLElement => {
    const box = el('input', { type: 'checkbox', 'aria-label': `select ${r.name}`, ...(view.selected.has(r.id) ? { checked: true } : {}) });
    box.addEventListener('change', () => {
      if (box.checked) view.selected.add(r.id);
      else view.selected.delete(r.id);
      updateCompare();
    });
    const counts = el(
      'span',
      { class: 'counts' },
      r.counts.error > 0 ? el('span', { class: 'count sev-error', title: 'errors' }, String(r.counts.error)) : null,
      r.counts.warning > 0 ? el('span', { class: 'count sev-warning', title: 'warnings' }, String(r.counts.warning)) : null,
      r.counts.info > 0 ? el('span', { class: 'count sev-info', title: 'info' }, String(r.counts.info)) : null,
    );
    const tr = el(
      'tr',
      { 'data-run-id': r.id, class: `health-${r.health ?? 'pending'}` },
      el('td', { class: 'select-col' }, box),
      el('td', {}, healthBadge(r.health, r.state)),
      el('td', { class: 'name' }, el('a', { href: `#/run/${r.id}` }, r.name)),
      el('td', {}, r.format),
      el('td', { class: 'num' }, r.lastStep === null ? '–' : `${fmtStep(r.lastStep)}${r.unit === 'epoch' ? ' ep' : ''}`),
      el('td', { class: 'num' }, fmtNum(r.trainLoss?.value ?? null)),
      el('td', { class: 'num' }, fmtNum(r.valLoss?.value ?? null)),
      el('td', { class: 'findings' }, r.worst ? el('span', { class: 'worst' }, `${r.worst.check} ${r.worst.title}`) : r.state === 'ready' ? el('span', { class: 'none' }, 'none') : '', ' ', counts),
      el('td', { class: 'updated' }, fmtAgo(r.updatedAt)),
    );
    tr.addEventListener('click', (e) => {
      const t = e.target as HTMLElement;
      if (t.closest('input, a')) return;
      location.hash = `#/run/${r.id}`;
    });
    return tr;
  };

  const updateCompare = (): void => {
    const ids = [...view.selected].filter((id) => runs.has(id));
    compareButton.textContent = ids.length > 0 ? `Compare selected (${ids.length})` : 'Compare selected';
    compareButton.disabled = ids.length < 2;
  };
  compareButton.addEventListener('click', () => {
    const ids = [...view.selected].filter((id) => runs.has(id));
    if (ids.length >= 2) location.hash = `#/compare/${ids.join(',')}`;
  });

  const render = (): void => {
    const all = [...runs.values()];
    const shown = all.filter(matches).sort((a, b) => compare(a, b, view.sort, view.desc));
    replaceChildren(tbody, ...shown.map(row));
    if (shown.length === 0) tbody.appendChild(el('tr', {}, el('td', { colspan: 9, class: 'empty' }, all.length === 0 ? `No runs yet under ${paths.join(', ')}: waiting for logs to appear.` : 'No run matches the filters.')));
    const read = all.filter((r) => r.state === 'ready').length;
    const checked = all.filter((r) => r.health !== null).length;
    const n = (h: Health): number => all.filter((r) => r.health === h).length;
    const progress = read < all.length ? ` · reading ${read} of ${all.length}…` : checked < all.length ? ` · checking ${checked} of ${all.length}…` : '';
    summary.textContent = `${all.length} run(s) under ${paths.join(', ')} · ${n('error')} with errors · ${n('warning')} with warnings · ${n('info')} with notes · ${n('ok')} ok${progress}${shown.length < all.length ? ` · ${shown.length} shown` : ''}`;
    const formats = [...new Set(all.map((r) => r.format))].sort();
    if (formatSelect.options.length !== formats.length + 1) {
      replaceChildren(formatSelect, el('option', { value: 'all' }, 'all formats'), ...formats.map((f) => el('option', { value: f, ...(view.format === f ? { selected: true } : {}) }, f)));
    }
    updateCompare();
    page.dataset['runs'] = String(all.length);
    page.dataset['read'] = String(read);
    page.dataset['checked'] = String(checked);
  };

  let frame: number | null = null;
  const schedule = (): void => {
    if (frame !== null) return;
    frame = requestAnimationFrame(() => {
      frame = null;
      render();
    });
  };

  text.addEventListener('input', () => {
    view.text = text.value;
    schedule();
  });
  health.addEventListener('change', () => {
    view.health = health.value as ViewState['health'];
    schedule();
  });
  formatSelect.addEventListener('change', () => {
    view.format = formatSelect.value;
    schedule();
  });

  renderHeader();
  const offs = [
    live.on('run-added', (r) => {
      runs.set(r.id, r);
      schedule();
    }),
    live.on('run-updated', (r) => {
      if (r.empty) runs.delete(r.id);
      else runs.set(r.id, r);
      schedule();
    }),
  ];
  /** Fetches the whole list: on open, and on every (re)connection of the live stream (events sent before it are not replayed). */
  const fetchRuns = (): void => {
    api
      .runs(abort.signal)
      .then((payload) => {
        paths = payload.paths;
        const listed = new Set(payload.runs.map((r) => r.id));
        for (const r of payload.runs) {
          const known = runs.get(r.id);
          if (!known || known.version < r.version || (known.version === r.version && r.health !== null)) runs.set(r.id, r);
        }
        for (const [id, r] of runs) if (r.empty || (!listed.has(id) && r.state === 'ready' && r.points === 0)) runs.delete(id);
        render();
      })
      .catch((err: unknown) => {
        if (!abort.signal.aborted) summary.textContent = `Cannot list runs: ${err instanceof Error ? err.message : String(err)}`;
      });
  };
  offs.push(live.on('hello', fetchRuns));
  fetchRuns();
  const ticker = setInterval(schedule, 10_000);

  return {
    destroy() {
      abort.abort();
      for (const off of offs) off();
      clearInterval(ticker);
      if (frame !== null) cancelAnimationFrame(frame);
      page.remove();
    },
  };
}
