/**
 * Collects the problems of one `read` call, capped per code so a file of garbage cannot fill memory:
 * past the cap, problems of that code are only counted and summarised once at the end.
 */
import type { Problem } from '../reader.js';

/** A growing list of problems about one file. */
export interface ProblemList {
  /** Records a problem; `message` names the line or byte offset and what was expected. */
  add(code: string, message: string): void;
  /** The problems so far, followed by one summary per code that overflowed the cap. */
  toArray(): Problem[];
}

/**
 * Creates a problem list for `file` keeping at most `maxPerCode` problems of each code.
 * @example
 * const problems = problemList('logs/metrics.csv');
 * problems.add('ragged-row', 'line 7: expected 8 columns, found 5');
 * problems.toArray(); // [{ file: 'logs/metrics.csv', code: 'ragged-row', message: 'line 7: ...' }]
 */
export function problemList(file: string, maxPerCode = 50): ProblemList {
  const list: Problem[] = [];
  const counts = new Map<string, number>();
  return {
    add(code, message) {
      const n = (counts.get(code) ?? 0) + 1;
      counts.set(code, n);
      if (n <= maxPerCode) list.push({ file, code, message });
    },
    toArray() {
      const out = [...list];
      for (const [code, n] of counts) {
        if (n > maxPerCode) {
          out.push({ file, code, message: `${n - maxPerCode} more ${code} problems not listed (${n} in all)` });
        }
      }
      return out;
    },
  };
}

/**
 * The text of an I/O error for an `unreadable` problem (`ENOENT: no such file or directory`).
 * @example
 * describeIoError(Object.assign(new Error('x'), { code: 'ENOENT' })) // 'ENOENT: x'
 */
export function describeIoError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code && !error.message.startsWith(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
