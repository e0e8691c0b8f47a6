/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core): the runs page over the
 * bundled real logs, a run page with a finding drawn on its chart, live updates while an event file
 * grows, the compare page, and refused traversal requests. Screenshots go to test-artifacts/.
 * Skipped (with a message) only when chromium is missing and CI is not set.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnosePaths } from '../../src/diagnose/diagnose-paths.js';
import type { EventFileWriter } from '../../src/formats/tensorboard/index.js';
import type { DashboardServer } from '../../src/server/server.js';
import { startDashboard } from '../../src/server/server.js';
import { writeInstrumentedRun, writeSteps } from './instrumented-run.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const inCi = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';
const repo = resolve(import.meta.dirname, '..', '..');
const artifacts = join(repo, 'test-artifacts');

if (!haveChromium && !inCi) {
  process.stderr.write(`\n[browser tests] skipped: no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM_PATH); in CI (CI set) they run and fail instead\n\n`);
}

/** A raw request, so the target reaches the server exactly as written (fetch and browsers normalise `..`). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

async function points(page: Page, chart: string): Promise<number> {
  return Number(await page.getAttribute(`[data-chart="${chart}"]`, 'data-points'));
}

describe.skipIf(!haveChromium && !inCi)('dashboard in Chromium', () => {
  let webRoot: string;
  let liveDir: string;
  let writer: EventFileWriter;
  let real: DashboardServer;
  let live: DashboardServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI is set but there is no Chromium at ${CHROMIUM}: .ci/run must apt-get install -y chromium`);
    mkdirSync(artifacts, { recursive: true });
    webRoot = mkdtempSync(join(tmpdir(), 'nndoctor-web-'));
    execFileSync(process.execPath, [join(repo, 'scripts', 'build-web.mjs'), webRoot], { cwd: repo, stdio: 'pipe' });
    liveDir = mkdtempSync(join(tmpdir(), 'nndoctor-live-'));
    writer = writeInstrumentedRun(join(liveDir, 'mlp'), 300);
    real = await startDashboard({ paths: [join(repo, 'examples', 'real-logs')], port: 0, webRoot });
    live = await startDashboard({ paths: [liveDir], port: 0, webRoot, intervalMs: 250 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await real?.close();
    await live?.close();
    writer?.close();
    if (liveDir) rmSync(liveDir, { recursive: true, force: true });
    if (webRoot) rmSync(webRoot, { recursive: true, force: true });
  });

  async function open(server: DashboardServer, hash = '#/'): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(new URL(hash, server.url).href);
    return { page, errors };
  }

  it('lists the real runs with their health', async () => {
    const { page, errors } = await open(real);
    await page.waitForSelector('tr[data-run-id]');
    await page.waitForFunction(() => {
      const p = document.querySelector('.runs-page');
      return p !== null && p.getAttribute('data-checked') === p.getAttribute('data-runs');
    }, null, { timeout: 60_000 }).catch(async (e: unknown) => {
      // Say which runs never got their health, and what the server thinks of them.
      const summary = await page.textContent('.summary');
      const stuck = await page.$$eval('tr.health-pending', (rows) => rows.map((r) => r.getAttribute('data-run-id') ?? ''));
      const server = stuck.slice(0, 3).map((id) => JSON.stringify(real.store.get(id)?.summary()));
      throw new Error(`runs page never showed every run's health: "${summary}"; ${stuck.length} row(s) without health; server: ${server.join(' | ')} (${String(e)})`);
    });
    // The same runs as `nndoctor diagnose examples/real-logs` reports (runs without data left out).
    const api = (await (await fetch(new URL('/api/runs', real.url))).json()) as { runs: Array<{ name: string }> };
    expect(await page.locator('tr[data-run-id]').count()).toBe(api.runs.length);
    expect(api.runs.length).toBe((await diagnosePaths([join(repo, 'examples', 'real-logs')])).runs.length);
    expect(await page.locator('tr[data-run-id] [data-health="warning"]').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'dashboard-runs.png') });
    // Filter and sort work in place.
    await page.fill('input.filter', 'Car-Prediction');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run-id]').length === 1);
    expect(await page.textContent('tr[data-run-id] td.findings')).toContain('C3 Overfitting');
    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);

  it('opens the Keras car CNN run: curves with points and the C3 overfitting band; clicking the finding highlights it', async () => {
    const { page, errors } = await open(real);
    await page.fill('input.filter', 'Car-Prediction');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run-id]').length === 1);
    await page.click('tr[data-run-id] td.name a');
    await page.waitForSelector('[data-chart="loss"][data-drawn]');
    expect(await points(page, 'loss')).toBe(200); // loss and val_loss, 100 epochs each
    expect(await points(page, 'metric')).toBe(200);
    const band = page.locator('[data-chart="loss"] .finding-band[data-check="C3"]');
    await band.waitFor();
    const box = await band.boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(100); // epochs 21-99 of 0-99
    await page.click('.findings-panel .finding[data-check="C3"]');
    await page.waitForFunction(() => document.querySelector('[data-chart="loss"] .finding-band[data-check="C3"]')?.classList.contains('active') === true);
    expect(await page.getAttribute('.findings-panel .finding[data-check="C3"]', 'aria-pressed')).toBe('true');
    // Log scale and smoothing redraw the same data.
    await page.check('input.log-scale');
    await page.locator('input.smoothing').fill('0.8');
    await page.waitForSelector('[data-chart="loss"][data-drawn]');
    expect(await points(page, 'loss')).toBe(200);
    await page.uncheck('input.log-scale');
    await page.locator('input.smoothing').fill('0');
    await page.screenshot({ path: join(artifacts, 'dashboard-run.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('compares selected runs on shared charts', async () => {
    const { page, errors } = await open(real);
    await page.fill('input.filter', 'keras_csvlogger');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-run-id]').length === 2);
    for (const box of await page.locator('tr[data-run-id] input[type=checkbox]').all()) await box.check();
    await page.click('button.compare');
    await page.waitForSelector('[data-chart="compare-loss"][data-drawn]');
    expect(await points(page, 'compare-loss')).toBeGreaterThan(100);
    await page.screenshot({ path: join(artifacts, 'dashboard-compare.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('updates the charts of a run being written, without a reload, and shows its per-layer panels', async () => {
    const { page, errors } = await open(live);
    await page.waitForSelector('tr[data-run-id] td.name a');
    await page.click('tr[data-run-id] td.name a');
    await page.waitForSelector('[data-chart="loss"][data-drawn]');
    await page.waitForSelector('[data-chart="grad-norm-heatmap"][data-points]');
    await page.waitForSelector('[data-chart="layer-update_ratio"][data-drawn]');
    await page.waitForSelector('[data-chart="histograms"][data-points]');
    expect(await page.locator('[data-chart="layer-act_std"]').count()).toBe(1);
    expect(await page.locator('[data-chart="layer-act_dead_frac"]').count()).toBe(1);
    const before = await points(page, 'loss');
    expect(before).toBe(300 + 30);
    await page.evaluate(() => {
      (window as unknown as { marker: number }).marker = 42; // gone if the page reloads
    });
    const started = Date.now();
    writeSteps(writer, 300, 400);
    await page.waitForFunction((n) => Number(document.querySelector('[data-chart="loss"]')?.getAttribute('data-points')) > n, before, { timeout: 15_000 });
    const elapsed = Date.now() - started;
    expect(await points(page, 'loss')).toBe(400 + 40);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    expect(elapsed).toBeLessThan(5_000); // "within a couple of seconds" (poll 250 ms here, 1 s by default)
    await page.screenshot({ path: join(artifacts, 'dashboard-live-run.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });

  it('refuses traversal and absolute-path requests with 4xx', async () => {
    for (const path of ['/api/..%2f..%2fetc/passwd', '/api/runs/..%2F..%2F..%2Fetc%2Fpasswd', '/../../etc/passwd', '//etc/passwd', '/%2Fetc%2Fpasswd', '/api/runs/%2e%2e/%2e%2e/etc/passwd']) {
      const status = await rawStatus(real.port, path);
      expect(status, path).toBeGreaterThanOrEqual(400);
      expect(status, path).toBeLessThan(500);
    }
    expect(await rawStatus(real.port, '/etc/passwd')).toBe(404);
    const res = await fetch(new URL('/api/runs', real.url), { method: 'POST' });
    expect(res.status).toBe(405);
  });
});
