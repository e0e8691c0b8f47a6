import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from './src/server/server.js';
const dir = mkdtempSync(join(tmpdir(), 'nndz-'));
mkdirSync(join(dir, 'big'));
const lines: string[] = [];
let seed = 1; const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
for (let s = 0; s < 1_000_000; s++) {
  const v = s > 990_000 ? 'NaN' : 2.3 / (1 + s / 20000) + 0.1 * rand() + (s === 400_000 ? 5 : 0);
  lines.push(s % 1000 === 0 ? `{"step":${s},"train/loss":${JSON.stringify(v)},"val/loss":${2.3 / (1 + s / 25000) + 0.2},"epoch":${Math.floor(s / 50000)}}` : `{"step":${s},"train/loss":${typeof v === 'string' ? '"NaN"' : v},"epoch":${Math.floor(s / 50000)}}`);
}
writeFileSync(join(dir, 'big', 'metrics.jsonl'), lines.join('\n') + '\n');
console.log('written');
const d = await startDashboard({ paths: [dir], port: 0, webRoot: '/tmp/webout' });
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: 1400, height: 1000 } });
p.on('pageerror', (e) => console.log('pageerror:', e.message));
let t = performance.now();
await p.goto(d.url);
await p.click('tr[data-run-id] td.name a');
await p.waitForSelector('[data-chart="loss"][data-drawn]', { timeout: 60000 });
console.log('first chart', performance.now() - t, await p.getAttribute('[data-chart="loss"]', 'data-points'));
await p.waitForSelector('.findings-panel .finding, .findings-panel .healthy', { timeout: 120000 });
console.log('findings', performance.now() - t);
await p.screenshot({ path: '/tmp/shots/big.png' });
const over = await p.locator('[data-chart="loss"] .u-over').boundingBox();
if (over) {
  t = performance.now();
  await p.mouse.move(over.x + over.width * 0.39, over.y + 50);
  await p.mouse.down();
  await p.mouse.move(over.x + over.width * 0.41, over.y + 60, { steps: 5 });
  await p.mouse.up();
  await p.waitForTimeout(1500);
  console.log('zoom', await p.getAttribute('[data-chart="loss"]', 'data-points'));
  await p.screenshot({ path: '/tmp/shots/big-zoom.png' });
  await p.mouse.dblclick(over.x + over.width * 0.5, over.y + 50);
  await p.waitForTimeout(800);
  console.log('unzoom', await p.getAttribute('[data-chart="loss"]', 'data-points'));
}
await p.selectOption('select.x-mode', 'epoch');
await p.waitForTimeout(500);
await p.screenshot({ path: '/tmp/shots/big-epoch.png' });
await b.close(); await d.close();
