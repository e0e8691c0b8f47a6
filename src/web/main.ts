/**
 * The dashboard app's entry point: the header with the live indicator, toasts for new findings of
 * runs being written, and a hash router over the runs page (`#/`), a run page (`#/run/<id>`) and the
 * compare page (`#/compare/<id>,<id>...`).
 */
import { comparePage } from './compare-page.js';
import { el } from './dom.js';
import { Live } from './live.js';
import type { Page } from './page.js';
import { runPage } from './run-page.js';
import { runsPage } from './runs-page.js';
import { Toasts } from './toasts.js';

const live = new Live();
const status = el('span', { class: 'live-status', title: 'live updates' }, 'connecting…');
live.onStatus = (connected) => {
  status.textContent = connected ? 'live' : 'reconnecting…';
  status.classList.toggle('on', connected);
};
const main = el('main', { id: 'main' });
document.body.append(el('header', { class: 'app-header' }, el('a', { href: '#/', class: 'brand' }, 'nndoctor'), el('span', { class: 'tagline' }, 'training diagnosis dashboard'), status), main);

// New findings of runs being written, wherever the user is.
const names = new Map<string, string>();
const toasts = new Toasts(document.body);
for (const name of ['run-added', 'run-updated'] as const) live.on(name, (r) => names.set(r.id, r.name));
live.on('findings', (e) => {
  for (const f of e.findings) toasts.finding(e.id, names.get(e.id) ?? e.id, f);
});

let current: Page | null = null;

function route(): void {
  current?.destroy();
  current = null;
  main.replaceChildren();
  const hash = location.hash.replace(/^#/, '') || '/';
  const run = /^\/run\/([0-9a-f]{12})$/.exec(hash);
  const compare = /^\/compare\/([0-9a-f,]+)$/.exec(hash);
  if (run) current = runPage(main, run[1] as string, live);
  else if (compare) current = comparePage(main, (compare[1] as string).split(',').filter((s) => /^[0-9a-f]{12}$/.test(s)), live);
  else current = runsPage(main, live);
  window.scrollTo(0, 0);
}

window.addEventListener('hashchange', route);
route();
