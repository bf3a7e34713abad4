/**
 * Symbolic differentiation of the Expression AST with respect to a parameter.
 * The node builders simplify as they go (0 + a = a, 1 * a = a, 0 * a = 0,
 * a ^ 1 = a, number op number folded), so a derivative such as d(A f)/dA is
 * just f and the compiled Jacobian does no work on trivial terms. Identical
 * subexpressions are shared later by the compiler (evaluate.ts), so rules can
 * repeat a node (exp(u) in d exp(u) = exp(u) u') without cost.
 */
import type { BinaryOperator, Node, UnaryFunction } from './parser.js';

const ZERO: Node = { kind: 'number', value: 0 };
const ONE: Node = { kind: 'number', value: 1 };
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export const num = (value: number): Node => ({ kind: 'number', value });
const isNum = (a: Node, value: number): boolean => a.kind === 'number' && a.value === value;
const valueOf = (a: Node): number | undefined => (a.kind === 'number' ? a.value : undefined);

export function neg(a: Node): Node {
  if (a.kind === 'number') return num(-a.value);
  if (a.kind === 'negate') return a.arg;
  return { kind: 'negate', arg: a };
}

function binary(op: BinaryOperator, left: Node, right: Node): Node {
  return { kind: 'binary', op, left, right };
}

export function add(a: Node, b: Node): Node {
  const x = valueOf(a);
  const y = valueOf(b);
  if (x !== undefined && y !== undefined) return num(x + y);
  if (x === 0) return b;
  if (y === 0) return a;
  if (b.kind === 'negate') return sub(a, b.arg);
  return binary('+', a, b);
}

export function sub(a: Node, b: Node): Node {
  const x = valueOf(a);
  const y = valueOf(b);
  if (x !== undefined && y !== undefined) return num(x - y);
  if (y === 0) return a;
  if (x === 0) return neg(b);
  if (b.kind === 'negate') return add(a, b.arg);
  return binary('-', a, b);
}

export function mul(a: Node, b: Node): Node {
  const x = valueOf(a);
  const y = valueOf(b);
  if (x !== undefined && y !== undefined) return num(x * y);
  if (x === 0 || y === 0) return ZERO;
  if (x === 1) return b;
  if (y === 1) return a;
  if (x === -1) return neg(b);
  if (y === -1) return neg(a);
  // Pull signs out so they cancel: (-a) (-b) = a b.
  if (a.kind === 'negate') return neg(mul(a.arg, b));
  if (b.kind === 'negate') return neg(mul(a, b.arg));
  return binary('*', a, b);
}

export function div(a: Node, b: Node): Node {
  const x = valueOf(a);
  const y = valueOf(b);
  if (x !== undefined && y !== undefined && y !== 0) return num(x / y);
  if (x === 0) return ZERO;
  if (y === 1) return a;
  if (a.kind === 'negate') return neg(div(a.arg, b));
  return binary('/', a, b);
}

export function pow(a: Node, b: Node): Node {
  const x = valueOf(a);
  const y = valueOf(b);
  if (x !== undefined && y !== undefined) return num(Math.pow(x, y));
  if (y === 0) return ONE;
  if (y === 1) return a;
  return binary('^', a, b);
}

const call = (fn: UnaryFunction, arg: Node): Node => ({ kind: 'call', fn, arg });

/** d fn(u) / du, as a node in u (the chain rule multiplies by u'). */
function outerDerivative(fn: UnaryFunction, u: Node): Node {
  switch (fn) {
    case 'exp':
      return call('exp', u);
    case 'log':
      return div(ONE, u);
    case 'log10':
      return div(ONE, mul(u, num(Math.LN10)));
    case 'sqrt':
      return div(ONE, mul(num(2), call('sqrt', u)));
    case 'sin':
      return call('cos', u);
    case 'cos':
      return neg(call('sin', u));
    case 'tan':
      return div(ONE, pow(call('cos', u), num(2)));
    case 'asin':
      return div(ONE, call('sqrt', sub(ONE, pow(u, num(2)))));
    case 'acos':
      return neg(div(ONE, call('sqrt', sub(ONE, pow(u, num(2))))));
    case 'atan':
      return div(ONE, add(ONE, pow(u, num(2))));
    case 'sinh':
      return call('cosh', u);
    case 'cosh':
      return call('sinh', u);
    case 'tanh':
      return sub(ONE, pow(call('tanh', u), num(2)));
    case 'abs':
      return call('sign', u);
    case 'sign':
      return ZERO; // almost everywhere, as sympy and any fitter would take it
    case 'erf':
      return mul(num(TWO_OVER_SQRT_PI), call('exp', neg(pow(u, num(2)))));
    case 'erfc':
      return mul(num(-TWO_OVER_SQRT_PI), call('exp', neg(pow(u, num(2)))));
  }
}

/** d(u ^ v) by the cheapest rule that applies: constant exponent, constant base, or general. */
function powerDerivative(u: Node, v: Node, du: Node, dv: Node): Node {
  if (isNum(dv, 0)) {
    // v u^(v-1) u'
    return mul(mul(v, pow(u, sub(v, ONE))), du);
  }
  const uv = pow(u, v);
  if (isNum(du, 0)) return mul(mul(uv, call('log', u)), dv); // u^v ln(u) v'
  // u^v (v' ln u + v u' / u)
  return mul(uv, add(mul(dv, call('log', u)), div(mul(v, du), u)));
}

/** d node / d parameter `name`, simplified. */
export function derivative(node: Node, name: string): Node {
  switch (node.kind) {
    case 'number':
    case 'x':
      return ZERO;
    case 'parameter':
      return node.name === name ? ONE : ZERO;
    case 'negate':
      return neg(derivative(node.arg, name));
    case 'call': {
      const du = derivative(node.arg, name);
      return isNum(du, 0) ? ZERO : mul(outerDerivative(node.fn, node.arg), du);
    }
    case 'binary': {
      const { op, left: u, right: v } = node;
      const du = derivative(u, name);
      const dv = derivative(v, name);
      switch (op) {
        case '+':
          return add(du, dv);
        case '-':
          return sub(du, dv);
        case '*':
          return add(mul(du, v), mul(u, dv));
        case '/':
          // u'/v - u v'/v^2: either term vanishes when u or v is constant.
          return sub(div(du, v), div(mul(u, dv), pow(v, num(2))));
        case '^':
          if (isNum(du, 0) && isNum(dv, 0)) return ZERO;
          return powerDerivative(u, v, du, dv);
      }
    }
  }
}
