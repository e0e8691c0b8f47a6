/**
 * The health badge of a run: its worst finding's severity, `ok`, or `reading…` / `checking…` before
 * it is read / diagnosed.
 */
import type { Health, RunState } from '../server/api-types.js';
import { el } from './dom.js';

const LABEL: Record<Health, string> = { error: 'error', warning: 'warning', info: 'info', ok: 'ok' };

/**
 * A badge element.
 * @example
 * healthBadge('warning') // <span class="badge sev-warning">warning</span>
 */
export function healthBadge(health: Health | null, state: RunState = 'pending'): HTMLElement {
  if (health === null) return state === 'pending' ? el('span', { class: 'badge pending', title: 'not read yet' }, 'reading…') : el('span', { class: 'badge pending', title: 'running the checks' }, 'checking…');
  return el('span', { class: `badge sev-${health === 'ok' ? 'ok' : health}`, 'data-health': health }, LABEL[health]);
}
