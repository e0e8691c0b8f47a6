import { chromium } from 'playwright-core';
import { startDashboard } from './src/server/server.js';
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
for (let k = 0; k < 4; k++) {
  const d = await startDashboard({ paths: ['examples/real-logs'], port: 0, webRoot: '/tmp/webout' });
  const p = await b.newPage({ viewport: { width: 1400, height: 1000 } });
  const t = Date.now();
  await p.goto(d.url);
  try {
    await p.waitForFunction(() => { const x = document.querySelector('.runs-page'); return x !== null && x.getAttribute('data-checked') === x.getAttribute('data-runs') && x.getAttribute('data-runs') !== '0'; }, null, { timeout: 20000 });
    console.log('ok', Date.now() - t);
  } catch {
    const attrs = await p.$eval('.runs-page', (e) => [e.getAttribute('data-runs'), e.getAttribute('data-read'), e.getAttribute('data-checked'), document.querySelector('.summary')?.textContent]);
    const stuck = await p.$$eval('tr.health-pending', (rows) => rows.map((r) => r.getAttribute('data-run-id') + ' ' + r.querySelector('td.name')?.textContent + ' ' + r.querySelector('.badge')?.textContent));
    console.log('STUCK', attrs, stuck.slice(0, 5));
    for (const s of stuck.slice(0, 3)) { const id = s.split(' ')[0]!; const r = d.store.get(id); console.log(id, r?.summary()); }
    const api = await (await fetch(d.url + 'api/runs')).json() as any;
    console.log('api pending', api.runs.filter((r: any) => r.health === null).length);
  }
  await p.close(); await d.close();
}
await b.close();
