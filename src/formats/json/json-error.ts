/**
 * Where a JSON syntax error is, for error messages that name the line and column: V8's messages carry
 * a position only for some errors, so a small scanner finds the offset for the others.
 */

/**
 * The offset of the first JSON syntax error in `text`, or null when it parses (V8's messages do not
 * always carry a position).
 * @example
 * jsonErrorOffset('{"a": [1,]}') // 9
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        str();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') str();
    else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  const str = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text[i] === '\n') fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : null;
  } catch (at) {
    return typeof at === 'number' ? at : null;
  }
}

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/**
 * Line and column of the syntax error `JSON.parse(text)` threw: from the position in V8's message, else
 * found by scanning; null when neither says.
 * @example
 * try { JSON.parse(text) } catch (err) { jsonErrorAt(text, err) } // { line: 3, column: 14 }
 */
export function jsonErrorAt(text: string, err: unknown): { line: number; column: number } | null {
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : String(err));
  const offset = m ? Number(m[1]) : jsonErrorOffset(text);
  return offset === null ? null : lineColumn(text, offset);
}

/**
 * Describes a JSON syntax error with the line (for multi-line text) and column it is at, if known.
 * @example
 * try { JSON.parse(text) } catch (e) { describeJsonError(e, text) } // 'line 3, column 14: Expected ...'
 */
export function describeJsonError(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/end of JSON input/.test(message)) return `ends early after ${text.length} characters, truncated or still being written: ${message}`;
  const at = jsonErrorAt(text, error);
  if (!at) return message;
  return text.includes('\n') ? `line ${at.line}, column ${at.column}: ${message}` : `column ${at.column}: ${message}`;
}
