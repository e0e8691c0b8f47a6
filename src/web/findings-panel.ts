/**
 * The findings panel of a run: each finding with its evidence (the measured numbers next to their
 * thresholds) and next actions. Clicking a finding selects it (the page highlights its band on the
 * charts); "too little data" notes are listed apart, folded.
 */
import type { Finding } from '../findings/finding.js';
import { el, replaceChildren } from './dom.js';
import { fmtNum, fmtRange } from './format.js';

/**
 * A stable key of a finding across live updates.
 * @example
 * findingKey(f) // 'C3||loss,val_loss'
 */
export function findingKey(f: Finding): string {
  return `${f.check}|${f.layer ?? ''}|${f.tags.join(',')}`;
}

function evidenceValue(v: Finding['evidence'][string]): string {
  if (v === null) return '–';
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'string') return v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? fmtNum(v) : v;
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return `[${v.map((x) => fmtNum(x)).join(', ')}]`;
}

/**
 * The panel.
 * @example
 * const panel = new FindingsPanel(aside, (key) => highlight(key));
 * panel.show(findings, 'epoch');
 */
export class FindingsPanel {
  readonly root: HTMLElement;
  private selected: string | null = null;

  constructor(
    parent: HTMLElement,
    private readonly onSelect: (key: string | null) => void,
  ) {
    this.root = el('aside', { class: 'findings-panel', 'aria-label': 'findings' });
    parent.appendChild(this.root);
  }

  /** Shows the run's findings (worst first, as the API sends them). */
  show(findings: readonly Finding[], unit: string): void {
    const real = findings.filter((f) => f.evidence['insufficientData'] !== true);
    const notes = findings.filter((f) => f.evidence['insufficientData'] === true);
    const item = (f: Finding): HTMLElement => {
      const key = findingKey(f);
      const evidence = Object.entries(f.evidence).filter(([k]) => k !== 'insufficientData');
      const node = el(
        'article',
        { class: `finding sev-${f.severity}${this.selected === key ? ' selected' : ''}`, 'data-finding': key, 'data-check': f.check, tabindex: 0, role: 'button', 'aria-pressed': String(this.selected === key) },
        el('header', {}, el('span', { class: `badge sev-${f.severity}` }, f.severity), el('b', {}, ` ${f.check} `), f.title, f.layer ? el('span', { class: 'layer' }, ` · ${f.layer}`) : null, el('span', { class: 'range' }, fmtRange(f.steps, unit))),
        el('p', { class: 'message' }, f.message),
        f.actions.length > 0 ? el('ul', { class: 'actions' }, ...f.actions.map((a) => el('li', {}, a))) : null,
        evidence.length > 0
          ? el('details', { class: 'evidence' }, el('summary', {}, 'evidence'), el('table', {}, ...evidence.map(([k, v]) => el('tr', {}, el('th', {}, k), el('td', {}, evidenceValue(v))))))
          : null,
      );
      const toggle = (): void => this.select(this.selected === key ? null : key);
      node.addEventListener('click', (e) => {
        if ((e.target as HTMLElement).closest('details')) return;
        toggle();
      });
      node.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          toggle();
        }
      });
      return node;
    };
    replaceChildren(
      this.root,
      el('h2', {}, 'Findings ', el('span', { class: 'count' }, String(real.length))),
      real.length === 0 ? el('p', { class: 'healthy' }, 'No problems found in this run.') : null,
      ...real.map(item),
      notes.length > 0 ? el('details', { class: 'notes' }, el('summary', {}, `${notes.length} check(s) had too little data`), ...notes.map(item)) : null,
    );
  }

  /** Selects a finding (from a click here or on a chart band); null clears. */
  select(key: string | null): void {
    this.selected = key;
    for (const node of Array.from(this.root.querySelectorAll<HTMLElement>('.finding'))) {
      const on = node.dataset['finding'] === key;
      node.classList.toggle('selected', on);
      node.setAttribute('aria-pressed', String(on));
      if (on) node.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
    this.onSelect(key);
  }
}
