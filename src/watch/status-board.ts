/**
 * The live status block on a terminal: one line per run (the most recently updated few, in the order
 * runs were found), rewritten in place with ANSI cursor movement. Anything else written to the terminal goes through
 * {@link StatusBoard.above}, which lifts the block, writes, and puts the block back underneath.
 */
import type { RunStatus } from './events.js';
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
  /** Statuses in the order runs were first seen (lines do not jump around). */
  private readonly statuses = new Map<string, RunStatus>();
  /** Update counter per run, to pick the most recently updated when there are too many to show. */
  private readonly touched = new Map<string, number>();
  private updates = 0;
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
    this.touched.set(status.run, ++this.updates);
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
    const columns = this.out.columns !== undefined && this.out.columns > 0 ? this.out.columns : 80;
    const width = Math.max(20, columns - 1);
    let shown = [...this.statuses.values()];
    if (shown.length > this.maxRuns) {
      const recent = new Set([...this.touched.entries()].sort((a, b) => b[1] - a[1]).slice(0, this.maxRuns).map(([id]) => id));
      shown = shown.filter((s) => recent.has(s.run));
    }
    const lines = shown.map((s) => statusText(s, width, this.color));
    const more = this.statuses.size - shown.length;
    if (more > 0) lines.push(`… and ${more} more run${more === 1 ? '' : 's'}`);
    this.drawn = lines.length;
    return lines.map((l) => `${l}\n`).join('');
  }
}
