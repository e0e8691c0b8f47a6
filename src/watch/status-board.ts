/**
 * The live status block on a terminal: one line per run (the most recently updated few), rewritten
 * in place with ANSI cursor movement. Anything else written to the terminal goes through
 * {@link StatusBoard.above}, which lifts the block, writes, and puts the block back underneath.
 */
import type { RunStatus } from './watcher.js';
import { statusText } from './render.js';

/** A terminal stream (a TTY). */
export interface TerminalStream {
  write(chunk: string): unknown;
  readonly columns?: number;
}

/**
 * Status lines for the runs being watched.
 * @example
 * const board = new StatusBoard(process.stdout, true);
 * board.update(status);
 * board.above(() => process.stdout.write('a finding\n'));
 */
export class StatusBoard {
  private readonly statuses = new Map<string, RunStatus>();
  /** Run ids, most recently updated first. */
  private order: string[] = [];
  /** Lines currently drawn (the cursor sits at the start of the line below them). */
  private drawn = 0;

  constructor(
    private readonly out: TerminalStream,
    private readonly color: boolean,
    private readonly maxRuns = 6,
  ) {}

  /** Records a run's new status and redraws. */
  update(status: RunStatus): void {
    this.statuses.set(status.run, status);
    this.order = [status.run, ...this.order.filter((id) => id !== status.run)];
    this.out.write(this.erase() + this.draw());
  }

  /** Runs `write` (which prints to the terminal) with the block lifted out of the way. */
  above(write: () => void): void {
    if (this.drawn === 0) {
      write();
      return;
    }
    this.out.write(this.erase());
    write();
    this.out.write(this.draw());
  }

  /** Removes the block for good (before the closing summary). */
  clear(): void {
    this.out.write(this.erase());
  }

  private erase(): string {
    if (this.drawn === 0) return '';
    const s = `\u001b[${this.drawn}A\r\u001b[J`;
    this.drawn = 0;
    return s;
  }

  private draw(): string {
    const width = Math.max(20, (this.out.columns ?? 80) - 1);
    const shown = this.order.slice(0, this.maxRuns);
    const lines = shown.map((id) => statusText(this.statuses.get(id) as RunStatus, width, this.color));
    const more = this.order.length - shown.length;
    if (more > 0) lines.push(`… and ${more} more run${more === 1 ? '' : 's'}`);
    this.drawn = lines.length;
    return lines.map((l) => `${l}\n`).join('');
  }
}
