/**
 * Benchmark: the dashboard (`nndoctor serve`) over 100 runs x 100k scalar points (TensorBoard event
 * files), measured in one process run so the figures compare:
 * - `readMs`: just discovering and reading every file (what any tool must do);
 * - `firstChartMs`: server start + discovery + runs page + opening the first run + its loss chart drawn
 *   in Chromium (the server reads the run a page asks for first, so this does not wait for all runs);
 * - `runsListMs`: until the runs page shows its rows; `allReadMs`: until the server has read every run
 *   (their diagnoses run in a worker thread meanwhile and take longer: the checks' own cost);
 * - `millionScalarsMs` / `millionScalarsWarmMs`: one API request for a 1M-point curve downsampled to
 *   1200 px (cold: first request after reading; warm: again), and its payload size.
 * Run directly: `npx tsx bench/dashboard.ts`. Needs Chromium at /usr/bin/chromium (or CHROMIUM_PATH) for
 * the browser figures; without it only the server figures are measured.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { discoverRuns, loadRun, readers } from '../src/formats/index.js';
import { createEventFileWriter } from '../src/formats/tensorboard/index.js';
import { startDashboard } from '../src/server/server.js';

const RUNS = 100;
const POINTS = 100_000;
const MILLION = 1_000_000;
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One event file: `train/loss` at every step, `val/loss` every 1000 steps. */
function writeRun(dir: string, points: number): string {
  const w = createEventFileWriter(dir, { flushBytes: 8 << 20, hostname: 'bench' });
  let seed = 7;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  for (let step = 0; step < points; step++) {
    const t = 1_700_000_000 + step * 0.05;
    w.scalar('train/loss', step, 2.3 / (1 + step / 5000) + 0.05 * rand(), t);
    if (step % 1000 === 0) w.scalar('val/loss', step, 2.4 / (1 + step / 6000) + 0.1, t);
  }
  w.close();
  return w.path;
}

/**
 * Runs the dashboard benchmark and returns its figures.
 * @example
 * const figures = await benchDashboard(); // { readMs, firstChartMs, firstChartOverRead, ... }
 */
export async function benchDashboard(): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'nndoctor-bench-dash-'));
  const big = mkdtempSync(join(tmpdir(), 'nndoctor-bench-1m-'));
  const web = mkdtempSync(join(tmpdir(), 'nndoctor-bench-web-'));
  try {
    // 100 runs: one generated file copied (writing 10M events one by one would dominate the bench).
    const first = writeRun(join(dir, 'run_000'), POINTS);
    for (let i = 1; i < RUNS; i++) {
      const runDir = join(dir, `run_${String(i).padStart(3, '0')}`);
      mkdirSync(runDir);
      copyFileSync(first, join(runDir, basename(first)));
    }
    writeRun(join(big, 'million'), MILLION);
    execFileSync(process.execPath, [join(repo, 'scripts', 'build-web.mjs'), web], { cwd: repo, stdio: 'pipe' });

    const figures: Record<string, number> = { runs: RUNS, pointsPerRun: POINTS + POINTS / 1000 };

    // Just reading the files.
    let t = performance.now();
    const { runs } = await discoverRuns([dir], readers);
    for (const source of runs) await loadRun(source);
    figures['readMs'] = performance.now() - t;

    // The dashboard, in Chromium.
    if (existsSync(CHROMIUM)) {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        t = performance.now();
        const dash = await startDashboard({ paths: [dir], port: 0, webRoot: web });
        try {
          await page.goto(dash.url);
          await page.waitForSelector('tr[data-run-id] td.name a');
          figures['runsListMs'] = performance.now() - t;
          // Open the first listed run as a click on its link would (rows re-sort while health arrives).
          const href = (await page.getAttribute('tr[data-run-id] td.name a', 'href')) as string;
          await page.evaluate((h) => {
            location.hash = h;
          }, href);
          await page.waitForFunction(() => Number(document.querySelector('[data-chart="loss"][data-drawn]')?.getAttribute('data-points')) > 0, null, { timeout: 600_000 });
          figures['firstChartMs'] = performance.now() - t;
          figures['firstChartOverRead'] = (figures['firstChartMs'] as number) / (figures['readMs'] as number);
          await dash.store.loadAll();
          figures['allReadMs'] = performance.now() - t;
        } finally {
          await dash.close();
        }
      } finally {
        await browser.close();
      }
    } else {
      process.stdout.write(`  (no Chromium at ${CHROMIUM}: browser figures left out)\n`);
    }

    // A million-point curve through the API.
    const dash = await startDashboard({ paths: [big], port: 0, webRoot: null });
    try {
      const id = dash.store.list()[0]?.id as string;
      await dash.store.ready(id);
      const url = new URL(`/api/runs/${id}/scalars?tags=train/loss&width=1200`, dash.url);
      t = performance.now();
      let body = await (await fetch(url)).text();
      figures['millionScalarsMs'] = performance.now() - t;
      t = performance.now();
      body = await (await fetch(url)).text();
      figures['millionScalarsWarmMs'] = performance.now() - t;
      figures['millionPayloadKB'] = Math.round(body.length / 1024);
    } finally {
      await dash.close();
    }
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(big, { recursive: true, force: true });
    rmSync(web, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const figures = await benchDashboard();
  for (const [k, v] of Object.entries(figures)) process.stdout.write(`${k.padEnd(24)} ${Number.isInteger(v) ? v : v.toFixed(3)}\n`);
}
