/**
 * Terminal safety for human-readable output: tag names, run ids, file names and messages come from
 * the user's files, and a tag named `\x1b[2J` (clear screen) or `\x1b]0;title\x07` (window title)
 * must be shown, not obeyed. Every control character except tab and newline (C0, DEL, C1) and the
 * Unicode bidirectional overrides (which reorder what a terminal shows) is written as a visible escape.
 * JSON output needs none of this: JSON.stringify escapes C0 itself, and a JSON consumer is no terminal.
 */

// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const escape = (ch: string): string => {
  const code = ch.codePointAt(0) as number;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

/**
 * A copy of `value` in which every string has its control characters escaped (`\x1b` -> `\\x1b`).
 * Numbers, booleans and null are kept; arrays and plain objects are copied; strings without control
 * characters are returned as they are.
 * @example
 * printable('loss\x1b[2J') // 'loss\\x1b[2J'
 * printable({ tags: ['a\x07'] }) // { tags: ['a\\x07'] }
 */
export function printable<T>(value: T): T {
  if (typeof value === 'string') return value.replace(UNSAFE, escape) as T;
  if (Array.isArray(value)) return value.map((v) => printable(v)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printable(v)])) as T;
  }
  return value;
}
