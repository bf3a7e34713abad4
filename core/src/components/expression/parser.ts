/**
 * Recursive-descent parser for Expression formulas, producing a small AST.
 * The grammar follows Python/sympy (what HyperSpy users write):
 *
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('+' | '-') unary | power
 *   power   := primary (('**' | '^') unary)?
 *   primary := number | name | name '(' sum (',' sum)* ')' | '(' sum ')'
 *
 * `power` takes a `unary` on its right, so a**b**c = a**(b**c) (right
 * associative), 2**-1 parses, and -x**2 = -(x**2) as in Python. '^' is a
 * synonym of '**', as sympy's convert_xor makes it in HyperSpy.
 *
 * Names: `x` is the axis; `pi` and `e` are the constants (so `e` cannot be a
 * parameter; sympy would make it one, and reads `E` as Euler's number, which
 * here is an ordinary parameter); a name followed by '(' must be a known
 * function; every other name is a parameter.
 */
import { ExpressionError, tokenize } from './lexer.js';
import type { Token } from './lexer.js';

/** Functions of one argument, by canonical name (aliases are resolved while parsing). */
export type UnaryFunction =
  | 'exp'
  | 'log'
  | 'log10'
  | 'sqrt'
  | 'sin'
  | 'cos'
  | 'tan'
  | 'asin'
  | 'acos'
  | 'atan'
  | 'sinh'
  | 'cosh'
  | 'tanh'
  | 'abs'
  | 'sign'
  | 'erf'
  | 'erfc';

export type BinaryOperator = '+' | '-' | '*' | '/' | '^';

export type Node =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'x' }
  | { readonly kind: 'parameter'; readonly name: string }
  | { readonly kind: 'negate'; readonly arg: Node }
  | {
      readonly kind: 'binary';
      readonly op: BinaryOperator;
      readonly left: Node;
      readonly right: Node;
    }
  | { readonly kind: 'call'; readonly fn: UnaryFunction; readonly arg: Node };

/**
 * Callable names: canonical ones, sympy's (Abs, atan, sign) and numpy's
 * (arctan, arcsin, arccos) spellings, `ln` for log, and `pow` (two arguments,
 * turned into '^').
 */
const FUNCTIONS: ReadonlyMap<string, UnaryFunction | 'pow'> = new Map<
  string,
  UnaryFunction | 'pow'
>([
  ['exp', 'exp'],
  ['log', 'log'],
  ['ln', 'log'],
  ['log10', 'log10'],
  ['sqrt', 'sqrt'],
  ['sin', 'sin'],
  ['cos', 'cos'],
  ['tan', 'tan'],
  ['asin', 'asin'],
  ['arcsin', 'asin'],
  ['acos', 'acos'],
  ['arccos', 'acos'],
  ['atan', 'atan'],
  ['arctan', 'atan'],
  ['sinh', 'sinh'],
  ['cosh', 'cosh'],
  ['tanh', 'tanh'],
  ['abs', 'abs'],
  ['Abs', 'abs'],
  ['sign', 'sign'],
  ['erf', 'erf'],
  ['erfc', 'erfc'],
  ['pow', 'pow'],
]);

const CONSTANTS: ReadonlyMap<string, number> = new Map([
  ['pi', Math.PI],
  ['e', Math.E],
]);

/** Names a user cannot give a parameter: the axis, the constants and the functions. */
export function isReservedName(name: string): boolean {
  return name === 'x' || CONSTANTS.has(name) || FUNCTIONS.has(name);
}

export interface ParsedExpression {
  readonly ast: Node;
  /** Parameter names in order of first appearance. */
  readonly parameters: readonly string[];
  /** Whether `x` appears (an expression without it is a constant, which is allowed). */
  readonly usesX: boolean;
}

/** Parses `text`; throws ExpressionError naming the expression and the position. */
export function parseExpression(text: string): ParsedExpression {
  const tokens = tokenize(text);
  let at = 0;
  const parameters: string[] = [];
  let usesX = false;

  const peek = (): Token => tokens[at]!;
  const fail = (detail: string, token: Token): never => {
    throw new ExpressionError(text, detail, token.position);
  };
  const isOp = (token: Token, ...ops: string[]): boolean =>
    token.kind === 'operator' && ops.includes(token.text);
  const describe = (token: Token): string => (token.kind === 'end' ? 'end' : `'${token.text}'`);

  const expectClose = (): void => {
    const token = peek();
    if (isOp(token, ')')) {
      at++;
      return;
    }
    fail(
      token.kind === 'end' ? "missing ')'" : `expected ')' instead of ${describe(token)}`,
      token,
    );
  };

  const sum = (): Node => {
    let left = product();
    while (isOp(peek(), '+', '-')) {
      const op = tokens[at++]!.text as '+' | '-';
      left = { kind: 'binary', op, left, right: product() };
    }
    return left;
  };

  const product = (): Node => {
    let left = unary();
    while (isOp(peek(), '*', '/')) {
      const op = tokens[at++]!.text as '*' | '/';
      left = { kind: 'binary', op, left, right: unary() };
    }
    return left;
  };

  const unary = (): Node => {
    const token = peek();
    if (isOp(token, '+')) {
      at++;
      return unary();
    }
    if (isOp(token, '-')) {
      at++;
      return { kind: 'negate', arg: unary() };
    }
    return power();
  };

  const power = (): Node => {
    const base = primary();
    if (isOp(peek(), '**', '^')) {
      at++;
      return { kind: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };

  const call = (nameToken: Token): Node => {
    const fn = FUNCTIONS.get(nameToken.text);
    if (fn === undefined) {
      fail(
        CONSTANTS.has(nameToken.text) || nameToken.text === 'x'
          ? `'${nameToken.text}' is not a function`
          : `unknown function '${nameToken.text}'`,
        nameToken,
      );
    }
    at++; // '('
    const args = [sum()];
    while (isOp(peek(), ',')) {
      at++;
      args.push(sum());
    }
    expectClose();
    const arity = fn === 'pow' ? 2 : 1;
    if (args.length !== arity) {
      fail(
        `function '${nameToken.text}' takes ${arity} argument${arity > 1 ? 's' : ''}, got ${args.length}`,
        nameToken,
      );
    }
    if (fn === 'pow') return { kind: 'binary', op: '^', left: args[0]!, right: args[1]! };
    return { kind: 'call', fn: fn!, arg: args[0]! };
  };

  const primary = (): Node => {
    const token = peek();
    if (token.kind === 'number') {
      at++;
      return { kind: 'number', value: token.value };
    }
    if (token.kind === 'name') {
      at++;
      if (isOp(peek(), '(')) return call(token);
      const name = token.text;
      if (FUNCTIONS.has(name)) fail(`'${name}' is a function: call it as ${name}(...)`, token);
      const constant = CONSTANTS.get(name);
      if (constant !== undefined) return { kind: 'number', value: constant };
      if (name === 'x') {
        usesX = true;
        return { kind: 'x' };
      }
      if (!parameters.includes(name)) parameters.push(name);
      return { kind: 'parameter', name };
    }
    if (isOp(token, '(')) {
      at++;
      const inner = sum();
      expectClose();
      return inner;
    }
    if (token.kind === 'end') fail('missing operand', token);
    if (isOp(token, ')')) fail("missing operand before ')'", token);
    return fail(`unexpected ${describe(token)}`, token);
  };

  if (peek().kind === 'end') throw new ExpressionError(text, 'empty expression');
  const ast = sum();
  const rest = peek();
  if (rest.kind !== 'end') {
    if (isOp(rest, ')')) fail("unmatched ')'", rest);
    // A number or name right after a complete operand: most likely `2x` for `2*x`.
    if (rest.kind === 'number' || rest.kind === 'name' || isOp(rest, '(')) {
      fail(`expected an operator before ${describe(rest)}`, rest);
    }
    fail(`unexpected ${describe(rest)}`, rest);
  }
  return { ast, parameters, usesX };
}

/** Writes a node back as text, fully parenthesized (for messages and tests). */
export function formatNode(node: Node): string {
  switch (node.kind) {
    case 'number':
      return Object.is(node.value, -0) ? '-0' : String(node.value);
    case 'x':
      return 'x';
    case 'parameter':
      return node.name;
    case 'negate':
      return `(-${formatNode(node.arg)})`;
    case 'binary':
      return `(${formatNode(node.left)} ${node.op} ${formatNode(node.right)})`;
    case 'call':
      return `${node.fn}(${formatNode(node.arg)})`;
  }
}
