/**
 * The port every log reader implements. A reader turns one file into telemetry, streaming, and can
 * resume from a cursor so a file still being written is read up to its last whole record, then again
 * from there when it grows.
 */
import type { TelemetrySink } from '../telemetry/run.js';

/** Something wrong with the input, reported as data (never thrown). */
export interface Problem {
  /** The file concerned, as the user gave it joined with the relative path. */
  readonly file: string;
  /** Stable machine-readable code, e.g. `bad-crc`, `truncated`, `ragged-row`, `bad-shape`. */
  readonly code: string;
  /** Names the byte offset or line and what was expected. */
  readonly message: string;
}

/** Where to resume reading a file. Opaque to callers: pass back what `read` returned. */
export interface ReadCursor {
  /** Byte offset of the first byte not yet consumed (after the last whole record/line). */
  readonly offset: number;
  /** Reader-specific state needed to resume (e.g. a CSV header). */
  readonly state?: unknown;
}

/** What one `read` call produced besides the telemetry it pushed into the sink. */
export interface ReadResult {
  readonly cursor: ReadCursor;
  readonly problems: Problem[];
  /** Number of records (events, rows, log entries) decoded in this call. */
  readonly records: number;
}

/** One file format. */
export interface FormatReader {
  /** Stable name used in reports (`tensorboard`, `lightning-csv`, `keras-csv`, `hf-trainer-state`, `jsonl`). */
  readonly name: string;
  /**
   * Whether `path` is a file of this format, from its name and its first bytes (up to 4 KiB).
   * Must be cheap and must not throw.
   */
  detect(path: string, head: Uint8Array): boolean;
  /**
   * Reads `path` from `from` (or the start) to its last whole record, pushing telemetry into `sink`.
   * Never throws for bad content: corrupt or truncated data ends up in `problems`.
   * `displayPath` is the name to use in problems.
   */
  read(path: string, sink: TelemetrySink, options: ReadOptions): Promise<ReadResult>;
}

/** Options for {@link FormatReader.read}. */
export interface ReadOptions {
  /** Name of the file in problems (the path as the user gave it). Defaults to `path`. */
  readonly displayPath?: string;
  /** Resume point from a previous read of the same file. */
  readonly from?: ReadCursor;
  /** Called with the number of bytes consumed so far, for progress bars. */
  readonly onProgress?: (bytes: number) => void;
  /**
   * The file is complete (a one-shot diagnosis, or watch's last pass): a last record without its end
   * (a line without a line end) is read when it is whole and reported as `truncated` when not,
   * instead of being left for a later read. Default false: wait for the rest (a file being written).
   */
  readonly final?: boolean;
}
