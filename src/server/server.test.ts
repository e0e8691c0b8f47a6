import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FindingsPayload, HistogramsPayload, LayersPayload, RunDetail, RunsPayload, ScalarsPayload } from './api-types.js';
import type { DashboardServer } from './server.js';
import { startDashboard } from './server.js';
import { createEventFileWriter } from '../formats/tensorboard/index.js';

let root: string;
let outside: string;
let dash: DashboardServer;

/** A JSONL run whose validation loss turns up after step 60 while the training loss keeps falling. */
function jsonlLines(from: number, to: number): string {
  let out = '';
  for (let step = from; step < to; step++) {
    const train = 2 * Math.exp(-step / 30) + 0.1;
    const line: Record<string, number | string> = { step, 'train/loss': train };
    if (step % 5 === 0) line['val/loss'] = 2 * Math.exp(-Math.min(step, 60) / 30) + 0.2 + Math.max(0, step - 60) * 0.01;
    out += `${JSON.stringify(line)}\n`;
  }
  return out;
}

function raw(path: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: dash.port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${dash.port}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function json<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, dash.url));
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else {
        const st = statSync(p);
        out.push(`${p} ${st.size} ${st.mtimeMs}`);
      }
    }
  };
  walk(dir);
  return out.sort();
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'nndoctor-serve-'));
  outside = mkdtempSync(join(tmpdir(), 'nndoctor-outside-'));
  mkdirSync(join(root, 'jsonl_run'));
  writeFileSync(join(root, 'jsonl_run', 'metrics.jsonl'), jsonlLines(0, 120));
  const w = createEventFileWriter(join(root, 'tb_run'), { hostname: 'test' });
  for (let step = 0; step < 50; step++) {
    w.scalar('train/loss', step, 1 / (step + 1));
    for (const layer of ['fc1', 'fc2']) {
      w.scalar(`grad_norm/${layer}`, step, layer === 'fc1' ? 1e-3 : 1e-1);
      w.scalar(`act_std/${layer}`, step, 1);
    }
    if (step % 10 === 0) w.histogram('gradients/fc1', step, new Float32Array([0.1, -0.2, 0.05, 0.3]));
  }
  w.close();
  // A log outside the served path, linked from inside: never read.
  writeFileSync(join(outside, 'secret.jsonl'), jsonlLines(0, 10));
  symlinkSync(join(outside, 'secret.jsonl'), join(root, 'link.jsonl'));
  dash = await startDashboard({ paths: [root], port: 0, webRoot: null, intervalMs: 100, rediscoverMs: 300 });
  await dash.store.settle();
});

afterAll(async () => {
  await dash?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

describe('dashboard server', () => {
  it('listens on 127.0.0.1 and lists the runs with their health, never following links out of the served path', async () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const { runs, paths } = await json<RunsPayload>('/api/runs');
    expect(paths).toEqual([root]);
    expect(runs.map((r) => r.name).sort()).toEqual(['jsonl_run/metrics.jsonl', 'tb_run']);
    for (const r of runs) {
      expect(r.id).toMatch(/^[0-9a-f]{12}$/);
      expect(r.state).toBe('ready');
      expect(r.health).not.toBeNull();
    }
    const jsonl = runs.find((r) => r.format === 'jsonl');
    expect(jsonl?.trainLoss?.tag).toBe('train/loss');
    expect(jsonl?.lastStep).toBe(119);
  });

  it('serves a run: detail, findings, downsampled scalars, layers and histograms', async () => {
    const { runs } = await json<RunsPayload>('/api/runs');
    const tb = runs.find((r) => r.format === 'tensorboard');
    const jsonl = runs.find((r) => r.format === 'jsonl');
    expect(tb && jsonl).toBeTruthy();
    const detail = await json<RunDetail>(`/api/runs/${tb?.id}`);
    expect(detail.files).toHaveLength(1);
    expect(detail.layerQuantities).toEqual(['grad_norm', 'act_std']);
    expect(detail.histogramTags.map((h) => h.tag)).toEqual(['gradients/fc1']);
    expect(detail.scalarTags.find((t) => t.tag === 'grad_norm/fc1')?.layer).toBe(true);
    const findings = await json<FindingsPayload>(`/api/runs/${jsonl?.id}/findings`);
    expect(findings.findings.length).toBeGreaterThan(0);
    const scalars = await json<ScalarsPayload>(`/api/runs/${jsonl?.id}/scalars?tags=train/loss,val/loss,nope&width=16`);
    expect(scalars.series.map((s) => s.tag)).toEqual(['train/loss', 'val/loss']);
    expect(scalars.series[0]?.points).toBe(120);
    expect(scalars.series[0]?.steps.length).toBeLessThanOrEqual(64);
    const layers = await json<LayersPayload>(`/api/runs/${tb?.id}/layers?width=20`);
    expect(layers.quantities.map((q) => q.quantity)).toEqual(['grad_norm', 'act_std']);
    expect(layers.quantities[0]?.layers.map((l) => l.name)).toEqual(['fc1', 'fc2']);
    expect(layers.quantities[0]?.steps.length).toBeLessThanOrEqual(20);
    const hist = await json<HistogramsPayload>(`/api/runs/${tb?.id}/histograms?tag=${encodeURIComponent('gradients/fc1')}&limit=3`);
    expect(hist.total).toBe(5);
    expect(hist.snapshots.map((s) => s.step)).toEqual([0, 20, 40]);
  });

  it('answers bad requests with 4xx and never writes', async () => {
    const before = snapshot(root);
    const id = (await json<RunsPayload>('/api/runs')).runs[0]?.id as string;
    expect((await raw('/api/runs/ffffffffffff')).status).toBe(404);
    expect((await raw('/api/runs/..')).status).toBe(400);
    expect((await raw('/api/..%2f..%2fetc/passwd')).status).toBe(400);
    expect((await raw(`/api/runs/${id}/..%2f..%2f..%2fetc%2fpasswd`)).status).toBe(400);
    expect((await raw('//etc/passwd')).status).toBe(400);
    expect((await raw(`/api/runs/${id}/histograms?tag=/etc/passwd`)).status).toBe(404);
    expect((await raw(`/api/runs/${id}/scalars?width=abc`)).status).toBe(400);
    expect((await raw('/etc/passwd')).status).toBe(404);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      const res = await raw('/api/runs', { method });
      expect(res.status).toBe(405);
      expect(res.headers['allow']).toBe('GET, HEAD');
    }
    expect((await raw('/api/runs', { host: 'attacker.example' })).status).toBe(403);
    // DNS rebinding: names that only look like loopback addresses are refused; exact ones pass.
    for (const host of ['127.0.0.1.attacker.example', '127.attacker.example', '127.0.0.1.nip.io:6070', '[::1].attacker.example']) {
      expect((await raw('/api/runs', { host })).status, host).toBe(403);
    }
    for (const host of ['localhost:6070', '127.0.0.1', '127.0.0.2:80', '[::1]:6070']) {
      expect((await raw('/api/runs', { host })).status, host).toBe(200);
    }
    const head = await raw('/api/runs', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(snapshot(root)).toEqual(before);
  });

  it('pushes run updates and new findings over Server-Sent Events when a file grows', async () => {
    const id = (await json<RunsPayload>('/api/runs')).runs.find((r) => r.format === 'jsonl')?.id as string;
    const version = (await json<RunDetail>(`/api/runs/${id}`)).summary.version;
    const controller = new AbortController();
    const res = await fetch(new URL('/api/events', dash.url), { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let text = '';
    const until = async (pred: () => boolean): Promise<void> => {
      const deadline = Date.now() + 10_000;
      while (!pred() && Date.now() < deadline) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    };
    await until(() => text.includes('event: hello'));
    appendFileSync(join(root, 'jsonl_run', 'metrics.jsonl'), jsonlLines(120, 200));
    await until(() => /event: run-updated\ndata: [^\n]*"lastStep":199/.test(text));
    controller.abort();
    expect(text).toMatch(/event: run-updated\ndata: [^\n]*"lastStep":199/);
    const after = await json<RunDetail>(`/api/runs/${id}`);
    expect(after.summary.version).toBeGreaterThan(version);
    expect(after.summary.lastStep).toBe(199);
  });
});
