/**
 * The CLI boundary's one error class. `code` is the process exit code.
 */

/**
 * Process exit code. nndoctor's own: 0 = nothing at or above --fail-on, 1 = such findings,
 * 2 = usage error or nothing readable; `watch --exec` passes the training command's code through.
 */
export type ExitCode = number;

/**
 * A user-facing CLI error: the message names the argument or file and what was expected.
 * @example
 * throw new CliError("--format: expected text, json or markdown, got 'xml'", 2);
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly code: ExitCode = 2,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
