/**
 * Expression: a user formula in `x` and named parameters, as HyperSpy's
 * Expression component, e.g. 'A * exp(-(x - c)**2 / (2 * s**2))'.
 *
 * The text goes through a parser of its own (expression/parser.ts), never
 * through JavaScript's own code evaluation: a model file is data and must
 * not be able to run code (the tests scan these sources to keep it so). The
 * Jacobian is analytic, from symbolic derivatives (expression/derivative.ts),
 * and both f and its derivatives are compiled once into flat programs
 * (expression/evaluate.ts) that allocate nothing per call.
 *
 * Names: `x` is the axis, `pi` and `e` are constants (so neither can be a
 * parameter), the functions are those listed in parser.ts; every other name
 * is a parameter, ordered by name (code point, as Python's sorted) unless
 * `parameters` gives the order.
 */
import type { ComponentFunction, ParameterSpec } from './component.js';
import { derivative } from './expression/derivative.js';
import { Program } from './expression/evaluate.js';
import { ExpressionError } from './expression/lexer.js';
import { parseExpression } from './expression/parser.js';

export { ExpressionError } from './expression/lexer.js';

export interface ExpressionOptions {
  expression: string;
  /** Optional order of parameters; default: sorted by name, like HyperSpy. */
  parameters?: string[];
  /** Initial values by name (default 1). */
  values?: Record<string, number>;
}

/** The order of the parameters: `given` if it names exactly the `used` ones, else sorted. */
function parameterOrder(
  text: string,
  used: readonly string[],
  given?: readonly string[],
): string[] {
  if (given === undefined) return [...used].sort(); // UTF-16 order: 'A' < 'a', like Python
  const missing = used.filter((u) => !given.includes(u));
  const unknown = given.filter((g) => !used.includes(g));
  const repeated = given.filter((g, i) => given.indexOf(g) !== i);
  if (missing.length + unknown.length + repeated.length > 0) {
    const problems = [
      missing.length > 0 ? `missing ${missing.join(', ')}` : '',
      unknown.length > 0 ? `not in the expression: ${unknown.join(', ')}` : '',
      repeated.length > 0 ? `repeated: ${repeated.join(', ')}` : '',
    ].filter((s) => s !== '');
    throw new ExpressionError(
      text,
      `the parameter order [${given.join(', ')}] must name each parameter used (${[...used].sort().join(', ')}) once: ${problems.join('; ')}`,
    );
  }
  return [...given];
}

export function expression(options: ExpressionOptions): ComponentFunction {
  const text = options.expression;
  const parsed = parseExpression(text);
  if (parsed.parameters.length === 0) throw new ExpressionError(text, 'has no parameters to fit');
  const names = parameterOrder(text, parsed.parameters, options.parameters);

  const values = options.values ?? {};
  for (const [name, value] of Object.entries(values)) {
    if (!names.includes(name)) {
      throw new ExpressionError(text, `a value is given for '${name}', which is not a parameter`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new ExpressionError(text, `the value of '${name}' must be a finite number`);
    }
  }
  const parameters: ParameterSpec[] = names.map((name) => ({
    name,
    // hasOwn: a parameter may be called `constructor` or `toString`.
    value: Object.hasOwn(values, name) ? values[name]! : 1,
    free: true,
    bmin: null,
    bmax: null,
    linear: false,
  }));

  // f alone for evaluate; the partial derivatives, one root per slot, for jacobian.
  const valueProgram = new Program([parsed.ast], names);
  const jacobianProgram = new Program(
    names.map((name) => derivative(parsed.ast, name)),
    names,
  );
  const firstRow = Int32Array.of(0);

  return {
    kind: 'Expression',
    options: { expression: text, parameters: [...names] },
    parameters,
    size: names.length,
    analyticJacobian: true,
    estimate() {
      // A formula says nothing about which parameter is a position or a height.
      return {
        fromData: false,
        note: 'an Expression has no estimate from data: its parameters keep their values',
      };
    },
    evaluate(x, n, p, out) {
      valueProgram.run(x, n, p, firstRow, out);
    },
    jacobian(x, n, p, out, rows) {
      jacobianProgram.run(x, n, p, rows, out);
    },
  };
}
