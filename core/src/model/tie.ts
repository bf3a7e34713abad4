/**
 * Tied parameters (HyperSpy's `twin` with `twin_function_expr`, lmfit's
 * `expr`): a parameter whose value is a function of another's,
 * value = f(master), f a formula in `x` (the master's value) such as
 * `x`, `0.52*x` or `sqrt(x**2 + 0.0031)`. The formula goes through the
 * project's safe expression parser (components/expression/), never through
 * JavaScript's code evaluation, and its derivative is symbolic, so ties carry
 * the chain rule into the Jacobian.
 */
import { derivative } from '../components/expression/derivative.js';
import { Program } from '../components/expression/evaluate.js';
import { ExpressionError } from '../components/expression/lexer.js';
import { parseExpression, type Node } from '../components/expression/parser.js';

/** The identity tie: the tied parameter equals its master. */
export const IDENTITY_TIE = 'x';

export interface TieFunction {
  readonly expression: string;
  /** f is affine in x (f'' = 0 symbolically): a tie that keeps a linear problem linear. */
  readonly affine: boolean;
  /** f(x) and f'(x) into out[0] and out[1]. Allocation-free. */
  evaluate(x: number, out: Float64Array): void;
}

/** The axis variable x read as a parameter, so that d/dx is a parameter derivative. */
function xAsParameter(node: Node): Node {
  switch (node.kind) {
    case 'x':
      return { kind: 'parameter', name: 'x' };
    case 'number':
    case 'parameter':
      return node;
    case 'negate':
      return { kind: 'negate', arg: xAsParameter(node.arg) };
    case 'call':
      return { kind: 'call', fn: node.fn, arg: xAsParameter(node.arg) };
    case 'binary':
      return {
        kind: 'binary',
        op: node.op,
        left: xAsParameter(node.left),
        right: xAsParameter(node.right),
      };
  }
}

const cache = new Map<string, TieFunction>();

/**
 * Compiles a tie formula in `x`; errors (ExpressionError) name the formula
 * and, through `where`, the tied parameter.
 */
export function compileTie(expression: string, where = 'tie'): TieFunction {
  const text = expression.trim() === '' ? IDENTITY_TIE : expression;
  const cached = cache.get(text);
  if (cached) return cached;
  let parsed;
  try {
    parsed = parseExpression(text);
  } catch (err) {
    throw new Error(`${where}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  if (parsed.parameters.length > 0) {
    throw new ExpressionError(
      text,
      `${where}: a tie is a formula in x (the other parameter's value) and numbers only; it names ${parsed.parameters.join(', ')}`,
    );
  }
  const f = xAsParameter(parsed.ast);
  const df = derivative(f, 'x');
  const d2f = derivative(df, 'x');
  const program = new Program([f, df], ['x']);
  const rows = Int32Array.of(0, 1);
  const p = new Float64Array(1);
  const none = new Float64Array(0);
  const tie: TieFunction = {
    expression: text,
    affine: d2f.kind === 'number' && d2f.value === 0,
    evaluate(x, out) {
      p[0] = x;
      program.run(none, 1, p, rows, out);
    },
  };
  if (cache.size > 256) cache.clear();
  cache.set(text, tie);
  return tie;
}

/** A tie between two slots of a fitting problem (plain data, for workers). */
export interface TieSpec {
  /** The tied slot. */
  slot: number;
  /** The slot it follows. */
  master: number;
  /** f in x (the master's value). */
  expression: string;
}

/**
 * Ties in evaluation order (masters before the slots that follow them).
 * Throws, naming the slots through `name`, on a slot tied twice, a slot
 * tied to itself or a cycle.
 */
export function orderTies(
  ties: readonly TieSpec[],
  name: (slot: number) => string = (s) => `slot ${s}`,
): TieSpec[] {
  const bySlot = new Map<number, TieSpec>();
  for (const t of ties) {
    if (t.slot === t.master) throw new Error(`parameter ${name(t.slot)} is tied to itself`);
    if (bySlot.has(t.slot)) throw new Error(`parameter ${name(t.slot)} is tied twice`);
    bySlot.set(t.slot, t);
  }
  const ordered: TieSpec[] = [];
  const state = new Map<number, 1 | 2>(); // 1: visiting, 2: done
  const visit = (t: TieSpec, path: number[]): void => {
    const s = state.get(t.slot);
    if (s === 2) return;
    if (s === 1) {
      const from = path.indexOf(t.slot);
      const cycle = [...path.slice(from), t.slot].map(name).join(' -> ');
      throw new Error(`tied parameters form a cycle: ${cycle}`);
    }
    state.set(t.slot, 1);
    const up = bySlot.get(t.master);
    if (up) visit(up, [...path, t.slot]);
    state.set(t.slot, 2);
    ordered.push(t);
  };
  for (const t of ties) visit(t, []);
  return ordered;
}
