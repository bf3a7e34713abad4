/**
 * Tokenizer for Expression formulas. Positions are 1-based character columns,
 * so an error message can point into the text the user typed; the end of the
 * text is position length + 1 (where a missing ')' would go).
 */

/** A syntax or validation error that names the expression and, when known, the position. */
export class ExpressionError extends Error {
  readonly expression: string;
  /** 1-based column of the offending token, or undefined for whole-expression errors. */
  readonly position: number | undefined;

  constructor(expression: string, detail: string, position?: number) {
    super(
      `Expression '${expression}': ${detail}${position === undefined ? '' : ` at position ${position}`}`,
    );
    this.name = 'ExpressionError';
    this.expression = expression;
    this.position = position;
  }
}

export type TokenKind = 'number' | 'name' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token ('' for end); '^' and '**' are both kept as written. */
  readonly text: string;
  /** 1-based column of the first character. */
  readonly position: number;
  /** Numeric value, for number tokens (NaN otherwise). */
  readonly value: number;
}

// Sticky regexes: each matches exactly at lastIndex, so the lexer never copies
// the rest of the string. Numbers as in Python: 1, 1.5, .5, 5., 1e-3, 2.5E+4.
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const SPACE = /\s+/y;
// Longest first so '**' is one token, not two '*'.
const OPERATORS = ['**', '+', '-', '*', '/', '^', '(', ')', ','] as const;

function matchAt(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  const m = re.exec(text);
  return m === null ? undefined : m[0];
}

/** Splits `text` into tokens, ending with one 'end' token. Throws ExpressionError on a stray character. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const space = matchAt(SPACE, text, at);
    if (space !== undefined) {
      at += space.length;
      continue;
    }
    const position = at + 1;
    const number = matchAt(NUMBER, text, at);
    if (number !== undefined) {
      tokens.push({ kind: 'number', text: number, position, value: Number(number) });
      at += number.length;
      continue;
    }
    const name = matchAt(NAME, text, at);
    if (name !== undefined) {
      tokens.push({ kind: 'name', text: name, position, value: NaN });
      at += name.length;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, at));
    if (op === undefined) {
      // codePointAt so an emoji or other astral character is quoted whole.
      const ch = String.fromCodePoint(text.codePointAt(at)!);
      throw new ExpressionError(text, `unexpected character '${ch}'`, position);
    }
    tokens.push({ kind: 'operator', text: op, position, value: NaN });
    at += op.length;
  }
  tokens.push({ kind: 'end', text: '', position: text.length + 1, value: NaN });
  return tokens;
}
