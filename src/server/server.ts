/**
 * The dashboard's HTTP server (`nndoctor serve`): the built web app, the JSON API and a live event
 * stream, on 127.0.0.1 by default. Read-only: GET and HEAD only, no endpoint writes anything, and the
 * only files ever opened are the logs discovery found under the served paths and the app's own files
 * (read once at start-up). It opens nothing else on the machine: no browser, no other socket.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isIPv4 } from 'node:net';
import type { DiagnoseOptions } from '../diagnose/diagnose.js';
import type { FormatReader } from '../formats/reader.js';
import { jsonReplacer } from '../report/json.js';
import { apiAnswer } from './api-routes.js';
import { parseTarget } from './request-target.js';
import { RunStore } from './run-store.js';
import { SseHub } from './sse-hub.js';
import type { WebApp } from './static-app.js';
import { defaultWebRoot, loadWebApp } from './static-app.js';

/** Options of {@link startDashboard}. */
export interface DashboardOptions {
  /** Log files or directories to serve (what `nndoctor diagnose` accepts). */
  readonly paths: readonly string[];
  /** Interface to listen on (default `127.0.0.1`). */
  readonly host?: string;
  /** Port (default 6070); 0 picks a free one. */
  readonly port?: number;
  /** Directory of the built web app (default: `dist/web` of this package); null serves the API only. */
  readonly webRoot?: string | null;
  /** How often to look at the files of read runs, in ms (default 1000). */
  readonly intervalMs?: number;
  /** How often to look for new runs and files, in ms (default 3000). */
  readonly rediscoverMs?: number;
  readonly readers?: readonly FormatReader[];
  readonly diagnose?: DiagnoseOptions;
}

/** A running dashboard. */
export interface DashboardServer {
  /** `http://host:port/` */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly store: RunStore;
  /** Stops following, ends event streams and closes the server. */
  close(): Promise<void>;
}

/** Default port of `nndoctor serve`. */
export const DEFAULT_PORT = 6070;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
} as const;

/**
 * `localhost`, `::1`, or an IPv4 address (four decimal octets, nothing more) in 127.0.0.0/8. A name
 * that merely starts with `127.` (`127.0.0.1.attacker.example`) is a DNS name a rebinding page controls.
 */
function isLoopback(host: string): boolean {
  return LOOPBACK_NAMES.has(host) || (isIPv4(host) && host.startsWith('127.'));
}

/** The host name of a Host header (`127.0.0.1:6070` -> `127.0.0.1`, `[::1]:80` -> `[::1]`). */
function hostName(header: string | undefined): string {
  if (!header) return '';
  if (header.startsWith('[')) {
    // `[v6]` or `[v6]:port`; anything else after the bracket is not an address.
    const end = header.indexOf(']') + 1;
    return end > 0 && /^(:\d+)?$/.test(header.slice(end)) ? header.slice(0, end).toLowerCase() : header.toLowerCase();
  }
  const colon = header.lastIndexOf(':');
  return (colon < 0 ? header : header.slice(0, colon)).toLowerCase();
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: Buffer | string, extra: Record<string, string> = {}): void {
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Content-Length': String(buf.length), ...extra });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, extra: Record<string, string> = {}): void {
  send(req, res, status, 'application/json; charset=utf-8', JSON.stringify(body, jsonReplacer), { 'Cache-Control': 'no-store', ...extra });
}

/**
 * Starts the dashboard: discovers the runs, listens, then reads runs in the background and follows
 * their files.
 * @example
 * const dash = await startDashboard({ paths: ['runs/'], port: 0 });
 * console.log(dash.url); // http://127.0.0.1:41234/
 * await dash.close();
 */
export async function startDashboard(options: DashboardOptions): Promise<DashboardServer> {
  const host = options.host ?? '127.0.0.1';
  const loopbackOnly = isLoopback(host);
  const app: WebApp = await loadWebApp(options.webRoot === undefined ? defaultWebRoot() : options.webRoot);
  const store = new RunStore({
    paths: options.paths,
    ...(options.readers ? { readers: options.readers } : {}),
    ...(options.diagnose ? { diagnose: options.diagnose } : {}),
    ...(options.rediscoverMs !== undefined ? { rediscoverMs: options.rediscoverMs } : {}),
  });
  await store.discover();
  const hub = new SseHub();
  const unsubscribe = store.subscribe((e) => hub.send(e.type, e.data));

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(req, res, 405, { error: 'read-only: only GET and HEAD' }, { Allow: 'GET, HEAD' });
      return;
    }
    // A page on another site must not reach the API through a DNS name rebound to 127.0.0.1.
    const asked = hostName(req.headers.host);
    if (loopbackOnly && !isLoopback(asked) && asked !== host.toLowerCase()) {
      sendJson(req, res, 403, { error: 'Host header must name this machine (localhost or 127.0.0.1)' });
      return;
    }
    const target = parseTarget(req.url);
    if (!target.ok) {
      sendJson(req, res, target.status, { error: target.reason });
      return;
    }
    const [first, second] = target.segments;
    if (first === 'api') {
      if (second === 'events' && target.segments.length === 2) {
        if (req.method === 'HEAD') send(req, res, 200, 'text/event-stream; charset=utf-8', '');
        else hub.add(res, { paths: store.paths, runs: store.list().length });
        return;
      }
      const answer = await apiAnswer(store, target.segments.slice(1), target.query);
      sendJson(req, res, answer.status, answer.body);
      return;
    }
    const asset = app.get(`/${target.segments.join('/')}`);
    if (!asset) {
      send(req, res, 404, 'text/plain; charset=utf-8', 'not found\n');
      return;
    }
    send(req, res, 200, asset.type, asset.body, { 'Cache-Control': 'no-cache' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((cause: unknown) => {
      if (res.headersSent) res.end();
      else sendJson(req, res, 500, { error: `internal error: ${cause instanceof Error ? cause.message : String(cause)}` });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? DEFAULT_PORT, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> = Promise.resolve();
  const intervalMs = options.intervalMs ?? 1000;
  const loop = (): void => {
    if (stopped) return;
    ticking = store.tick().catch(() => undefined).then(() => {
      if (!stopped) timer = setTimeout(loop, intervalMs);
    });
  };
  void store.loadAll().catch(() => undefined);
  timer = setTimeout(loop, intervalMs);

  return {
    url: `http://${shownHost}:${address.port}/`,
    host: address.address,
    port: address.port,
    store,
    async close() {
      stopped = true;
      if (timer) clearTimeout(timer);
      unsubscribe();
      hub.close();
      await ticking;
      await store.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
