/**
 * Server-Sent Events: the open `GET /api/events` streams, a broadcast to all of them, a comment line
 * every few seconds so proxies and browsers keep the stream open, and a cap on open streams.
 */
import type { ServerResponse } from 'node:http';
import { jsonReplacer } from '../report/json.js';

/** Open streams allowed at once; more get 503 (each browser tab holds one). */
const MAX_CLIENTS = 64;

/**
 * The set of live event streams.
 * @example
 * const hub = new SseHub();
 * hub.add(res);                       // in the /api/events handler
 * hub.send('run-updated', summary);   // to every open stream
 */
export class SseHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;

  constructor(heartbeatMs = 15_000) {
    this.timer = setInterval(() => this.write(': keep-alive\n\n'), heartbeatMs);
    this.timer.unref();
  }

  /** Number of open streams. */
  get size(): number {
    return this.clients.size;
  }

  /**
   * Turns `res` into an event stream and sends `hello` on it. Returns false (after answering 503)
   * when too many streams are open.
   */
  add(res: ServerResponse, hello: unknown): boolean {
    if (this.clients.size >= MAX_CLIENTS) {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '5' });
      res.end('too many open event streams\n');
      return false;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    res.write(frame('hello', hello));
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    return true;
  }

  /** Sends one event to every open stream. */
  send(event: string, data: unknown): void {
    this.write(frame(event, data));
  }

  /** Ends every stream and stops the heartbeat. */
  close(): void {
    clearInterval(this.timer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private write(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }
}

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data, jsonReplacer)}\n\n`;
}
