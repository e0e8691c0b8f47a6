/**
 * The streams a CLI command writes to, injectable so tests capture output without spawning.
 */

/** A writable text stream with the TTY facts the CLI needs. */
export interface OutStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Where commands write. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * The real process streams.
 * @example
 * await runCli(process.argv.slice(2), processIo());
 */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Whether to colour output on `stream`: a TTY, and neither NO_COLOR nor CI forbids it; FORCE_COLOR forces it.
 * @example
 * useColor(io.stdout, io.env)
 */
export function useColor(stream: OutStream, env: CliIo['env']): boolean {
  if (env['FORCE_COLOR'] !== undefined && env['FORCE_COLOR'] !== '0') return true;
  if (env['NO_COLOR'] !== undefined) return false;
  return stream.isTTY === true;
}
