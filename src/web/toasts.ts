/**
 * Toasts: a short note in the corner when a run being written gets a new finding (from the live
 * `findings` event), linking to the run. They fade after a while.
 */
import type { Finding } from '../findings/finding.js';
import { el } from './dom.js';

const SHOW_MS = 12_000;
const MAX_TOASTS = 4;

/**
 * The toast area.
 * @example
 * const toasts = new Toasts(document.body);
 * toasts.finding('a1b2c3d4e5f6', 'runs/exp1', finding);
 */
export class Toasts {
  private readonly root: HTMLElement;

  constructor(parent: HTMLElement) {
    this.root = el('div', { class: 'toasts', role: 'status', 'aria-live': 'polite' });
    parent.appendChild(this.root);
  }

  /** Announces a new finding of run `id` (display name `name`). */
  finding(id: string, name: string, f: Finding): void {
    const toast = el(
      'a',
      { class: `toast sev-${f.severity}`, href: `#/run/${id}` },
      el('b', {}, `${f.check} ${f.title}`),
      el('span', {}, ` in ${name}`),
      el('p', {}, f.message.length > 160 ? `${f.message.slice(0, 157)}…` : f.message),
    );
    this.root.prepend(toast);
    while (this.root.children.length > MAX_TOASTS) this.root.lastElementChild?.remove();
    setTimeout(() => toast.remove(), SHOW_MS);
  }
}
