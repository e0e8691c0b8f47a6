/**
 * The health badge of a run: its worst finding's severity, `ok`, or `reading…` before it is read.
 */
import type { Health } from '../server/api-types.js';
import { el } from './dom.js';

const LABEL: Record<Health, string> = { error: 'error', warning: 'warning', info: 'info', ok: 'ok' };

/**
 * A badge element.
 * @example
 * healthBadge('warning') // <span class="badge sev-warning">warning</span>
 */
export function healthBadge(health: Health | null): HTMLElement {
  if (health === null) return el('span', { class: 'badge pending', title: 'not read yet' }, 'reading…');
  return el('span', { class: `badge sev-${health === 'ok' ? 'ok' : health}`, 'data-health': health }, LABEL[health]);
}
