/**
 * A time limit on building a model that also holds when TF.js never yields. `tf.loadLayersModel`
 * rebuilds the layer graph synchronously, so a topology it cannot resolve spins the main thread and
 * no timer there can fire. The guard rehearses the build first in a worker thread with its own TF.js
 * (the topology only, weights zero-initialised as in a real load), and terminates the worker when it
 * has not finished within the limit; only a topology whose rehearsal finished is built for real in
 * this thread. The rehearsal's own errors are ignored: the real build reports them the same way.
 *
 * The worker starts once (TF.js loads in ~0.5 s, in parallel with the rest of the loading) and is
 * reused; it never keeps the process alive. Custom layer classes registered with
 * `registerCustomLayers` are registered in the worker from the same module; classes registered in
 * code only (`tf.serialization.registerClass`) are unknown there, so such a model's rehearsal fails
 * fast and the guard does not cover it (the structural check of `model-topology.ts` still does).
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How a rehearsal ended: `built` or `failed` (TF.js threw) within the limit, `timeout`, `crashed` (the worker died), or `unavailable` (no worker could start). */
export interface Rehearsal {
  readonly outcome: 'built' | 'failed' | 'timeout' | 'crashed' | 'unavailable';
  /** Milliseconds the build took (or the limit). */
  readonly ms: number;
  /** The error of a failed build or a crash. */
  readonly error?: string;
}

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// nothing TF.js or a custom layer prints reaches the user's terminal
for (const k of ['log', 'info', 'warn', 'error', 'debug', 'trace']) console[k] = () => {};
process.stdout.write = () => true;
process.stderr.write = () => true;
const tf = require(workerData.tfPath);
tf.env().set('PROD', true);
const registered = new Set();
(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
  parentPort.postMessage({ type: 'ready' });
})().catch((err) => parentPort.postMessage({ type: 'startup-failed', error: String(err && err.message || err) }));
parentPort.on('message', async (msg) => {
  let error;
  const t0 = performance.now();
  try {
    for (const url of msg.modules) {
      if (registered.has(url)) continue;
      registered.add(url);
      const mod = await import(url);
      const register = typeof mod.default === 'function' ? mod.default : mod.register;
      if (typeof register === 'function') await register(tf);
    }
    const model = await tf.loadLayersModel({ load: async () => ({ modelTopology: msg.topology, weightSpecs: [], weightData: new ArrayBuffer(0) }) });
    model.dispose();
  } catch (err) {
    error = String(err && err.message || err).split('\\n')[0];
  } finally {
    tf.disposeVariables();
  }
  parentPort.postMessage({ type: 'done', id: msg.id, ms: performance.now() - t0, error });
});
`;

interface Job {
  resolve(r: Rehearsal): void;
}

interface Guard {
  worker: Worker;
  ready: Promise<boolean>;
  jobs: Map<number, Job>;
  /** Stops an idle worker, so a long-lived program does not keep a second TF.js in memory. */
  idle?: NodeJS.Timeout;
}

/** An idle worker is stopped after this long. */
const IDLE_MS = 10_000;

let guard: Guard | null = null;
let nextId = 1;
const modules: string[] = [];

/**
 * Registers a custom-layer module (file URL) to import in the worker before rehearsals.
 * @example
 * rememberCustomLayerModule(pathToFileURL('layers.mjs').href);
 */
export function rememberCustomLayerModule(url: string): void {
  if (!modules.includes(url)) modules.push(url);
}

function start(): Guard {
  const tfPath = createRequire(import.meta.url).resolve('@tensorflow/tfjs');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { tfPath } });
  const jobs = new Map<number, Job>();
  const g: Guard = {
    worker,
    jobs,
    ready: new Promise<boolean>((resolve) => {
      worker.on('message', (m: { type: string; id?: number; ms?: number; error?: string }) => {
        if (m.type === 'ready') resolve(true);
        else if (m.type === 'startup-failed') {
          resolve(false);
          void worker.terminate();
        } else if (m.type === 'done' && m.id !== undefined) {
          const job = jobs.get(m.id);
          jobs.delete(m.id);
          job?.resolve({ outcome: m.error === undefined ? 'built' : 'failed', ms: m.ms ?? 0, ...(m.error !== undefined ? { error: m.error } : {}) });
        }
      });
      const dead = (err?: Error): void => {
        resolve(false);
        if (guard === g) guard = null;
        for (const job of jobs.values()) job.resolve({ outcome: 'crashed', ms: 0, error: err?.message ?? 'the worker exited' });
        jobs.clear();
      };
      worker.on('error', (err) => dead(err));
      worker.on('exit', () => dead());
    }),
  };
  // unref'd after its listeners are attached: the worker never keeps the process alive by itself
  worker.unref();
  return g;
}

/**
 * Starts the rehearsal worker ahead of time (loading TF.js in it while the caller reads files).
 * @example
 * warmUpBuildGuard();
 */
export function warmUpBuildGuard(): void {
  if (!guard) {
    try {
      guard = start();
      scheduleIdle(guard);
    } catch {
      guard = null;
    }
  }
}

/**
 * Rehearses `tf.loadLayersModel` on `topology` in the worker; `timeoutMs` counts from the moment the
 * worker is ready (TF.js loaded), and a rehearsal still running then is terminated.
 * @example
 * const r = await rehearseBuild(artifacts.modelTopology, 30_000);
 * if (r.outcome === 'timeout') throw new Error('the model did not build within 30 s');
 */
export async function rehearseBuild(topology: object, timeoutMs: number): Promise<Rehearsal> {
  warmUpBuildGuard();
  const g = guard;
  if (!g) return { outcome: 'unavailable', ms: 0 };
  clearTimeout(g.idle);
  // keep the process alive while waiting for the worker (it is unref'd otherwise)
  g.worker.ref();
  try {
    if (!(await g.ready)) return { outcome: 'unavailable', ms: 0 };
    return await run(g, topology, timeoutMs);
  } finally {
    g.worker.unref();
    scheduleIdle(g);
  }
}

function scheduleIdle(g: Guard): void {
  clearTimeout(g.idle);
  if (guard !== g) return;
  g.idle = setTimeout(() => {
    if (guard === g && g.jobs.size === 0) {
      guard = null;
      void g.worker.terminate();
    }
  }, IDLE_MS);
  g.idle.unref();
}

async function run(g: Guard, topology: object, timeoutMs: number): Promise<Rehearsal> {
  const id = nextId++;
  let timer: NodeJS.Timeout | undefined;
  const result = await new Promise<Rehearsal>((resolve) => {
    g.jobs.set(id, { resolve });
    timer = setTimeout(() => {
      g.jobs.delete(id);
      if (guard === g) guard = null;
      void g.worker.terminate();
      resolve({ outcome: 'timeout', ms: timeoutMs });
    }, timeoutMs);
    try {
      g.worker.postMessage({ id, topology, modules: [...modules] });
    } catch (err) {
      g.jobs.delete(id);
      resolve({ outcome: 'unavailable', ms: 0, error: (err as Error).message });
    }
  });
  clearTimeout(timer);
  return result;
}
