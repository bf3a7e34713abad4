/**
 * The Expression component: its parser (precedence against hand-computed
 * numbers, every function, clear errors), that it never evaluates the text as
 * JavaScript, its analytic Jacobian against central differences, and that a
 * Gaussian written as an expression is the Gaussian component.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { expression, ExpressionError, gaussian, createComponentFunction } from '@samfire/core';
import type { ComponentFunction, ExpressionOptions } from '@samfire/core';
import { derivative } from '../../../core/src/components/expression/derivative.js';
import { erf, erfc } from '../../../core/src/components/expression/evaluate.js';
import { formatNode, parseExpression } from '../../../core/src/components/expression/parser.js';

/** Parameter values in slot order, from a record by name. */
function slots(fn: ComponentFunction, values: Record<string, number>): Float64Array {
  return Float64Array.from(fn.parameters, (s) => values[s.name] ?? s.value ?? 0);
}

/** f(x) of `text` with parameter values by name, at the given axis values. */
function valuesAt(text: string, values: Record<string, number>, xs: number[]): number[] {
  const fn = expression({ expression: text });
  const x = Float64Array.from(xs);
  const out = new Float64Array(xs.length);
  fn.evaluate(x, xs.length, slots(fn, values), out);
  return [...out];
}

const valueAt = (text: string, values: Record<string, number>, x = 0): number =>
  valuesAt(text, values, [x])[0]!;

function grid(start: number, step: number, count: number): Float64Array {
  return Float64Array.from({ length: count }, (_, i) => start + i * step);
}

describe('Expression: parsing and precedence', () => {
  it.each([
    ['a + 2*3', { a: 1 }, 0, 7],
    ['(a + 2)*3', { a: 1 }, 0, 9],
    ['a - 2 - 3', { a: 10 }, 0, 5],
    ['a / 2 / 4', { a: 16 }, 0, 2],
    ['a - 2*3 + 4/8', { a: 1 }, 0, -4.5],
    ['a**3**2', { a: 2 }, 0, 512],
    ['a^3^2', { a: 2 }, 0, 512],
    ['(a**3)**2', { a: 2 }, 0, 64],
    ['-a**2', { a: 3 }, 0, -9],
    ['-a^2', { a: 3 }, 0, -9],
    ['(-a)**2', { a: 3 }, 0, 9],
    ['a**-1', { a: 4 }, 0, 0.25],
    ['2*a**2', { a: 3 }, 0, 18],
    ['-a * -a', { a: 3 }, 0, 9],
    ['--a', { a: 3 }, 0, 3],
    ['+a', { a: 3 }, 0, 3],
    ['a - -a', { a: 3 }, 0, 6],
    ['a*x + 1', { a: 3 }, 2, 7],
    ['a*x**2', { a: 3 }, -2, 12],
    ['1e-3*a', { a: 2 }, 0, 0.002],
    ['.5*a', { a: 3 }, 0, 1.5],
    ['5.*a', { a: 3 }, 0, 15],
    ['2.5E+2*a', { a: 2 }, 0, 500],
    ['a * 1e2', { a: 2 }, 0, 200],
    ['pow(a, 3)', { a: 2 }, 0, 8],
    ['pow(a, pow(2, 2))', { a: 2 }, 0, 16],
    ['a*pi', { a: 2 }, 0, 2 * Math.PI],
    ['a*e', { a: 2 }, 0, 2 * Math.E],
    ['a\n\t* ( x +1 )', { a: 2 }, 3, 8],
    ['a_1 + B2*x', { a_1: 1, B2: 2 }, 3, 7],
  ])('%s = %d', (text, values, x, expected) => {
    expect(valueAt(text, values, x)).toBeCloseTo(expected, 13);
  });

  it('builds the tree Python would: ** right associative and tighter than unary minus', () => {
    const tree = (text: string) => formatNode(parseExpression(text).ast);
    expect(tree('-x**2')).toBe('(-(x ^ 2))');
    expect(tree('a**b**c')).toBe('(a ^ (b ^ c))');
    expect(tree('a**-b')).toBe('(a ^ (-b))');
    expect(tree('a - b - c')).toBe('((a - b) - c)');
    expect(tree('a / b * c')).toBe('((a / b) * c)');
    expect(tree('a + b * c ^ d')).toBe('(a + (b * (c ^ d)))');
    expect(tree('-a * b')).toBe('((-a) * b)');
    expect(tree('pow(x, a)')).toBe('(x ^ a)');
    expect(tree('ln(x) + Abs(x) + arctan(x)')).toBe('((log(x) + abs(x)) + atan(x))');
  });

  it('lists parameters (not x, pi, e or functions), in order of appearance', () => {
    const parsed = parseExpression('b*exp(-x/tau) + pi*a + e*b');
    expect(parsed.parameters).toEqual(['b', 'tau', 'a']);
    expect(parsed.usesX).toBe(true);
    expect(parseExpression('a*2').usesX).toBe(false);
  });
});

describe('Expression: functions', () => {
  const XS = [-0.9, -0.3, 0.2, 0.7, 1.5, 2.5];
  const POSITIVE = [0.2, 0.7, 1.5, 2.5, 10];
  const cases: [string, (v: number) => number, number[]][] = [
    ['exp', Math.exp, XS],
    ['log', Math.log, POSITIVE],
    ['ln', Math.log, POSITIVE],
    ['log10', Math.log10, POSITIVE],
    ['sqrt', Math.sqrt, POSITIVE],
    ['sin', Math.sin, XS],
    ['cos', Math.cos, XS],
    ['tan', Math.tan, XS],
    ['atan', Math.atan, XS],
    ['arctan', Math.atan, XS],
    ['asin', Math.asin, [-0.9, -0.3, 0.2, 0.7]],
    ['arcsin', Math.asin, [-0.9, -0.3, 0.2, 0.7]],
    ['acos', Math.acos, [-0.9, -0.3, 0.2, 0.7]],
    ['arccos', Math.acos, [-0.9, -0.3, 0.2, 0.7]],
    ['sinh', Math.sinh, XS],
    ['cosh', Math.cosh, XS],
    ['tanh', Math.tanh, XS],
    ['abs', Math.abs, XS],
    ['Abs', Math.abs, XS],
    ['sign', Math.sign, XS],
    ['erf', erf, XS],
    ['erfc', erfc, XS],
  ];

  it.each(cases)('%s(x)', (name, reference, xs) => {
    expect(valuesAt(`a*${name}(x)`, { a: 1 }, xs)).toEqual(xs.map(reference));
    // And of a scalar argument (computed once per call, broadcast to every channel).
    expect(valuesAt(`${name}(a)`, { a: xs[1]! }, [0, 1, 2])).toEqual(
      Array(3).fill(reference(xs[1]!)),
    );
  });

  it('pow(a, b) is a ** b', () => {
    expect(valuesAt('pow(x, a)', { a: 2.5 }, [0.5, 2, 3])).toEqual(
      [0.5, 2, 3].map((v) => v ** 2.5),
    );
  });

  // mpmath, 40 digits: [x, erf(x), erfc(x)].
  const ERF_TABLE: [number, number, number][] = [
    [-3, -0.9999779095030014, 1.9999779095030015],
    [-1.5, -0.9661051464753108, 1.9661051464753108],
    [-0.5, -0.5204998778130465, 1.5204998778130465],
    [-1e-8, -1.1283791670955126e-8, 1.0000000112837917],
    [0, 0.0, 1.0],
    [1e-10, 1.1283791670955126e-10, 0.999999999887162],
    [0.1, 0.1124629160182849, 0.887537083981715],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497149, 0.15729920705028513],
    [1.3, 0.9340079449406524, 0.06599205505934755],
    [2, 0.9953222650189527, 0.004677734981047266],
    [2.49, 0.9995707121322661, 0.0004292878677339129],
    [2.5, 0.999593047982555, 0.0004069520174449589],
    [3, 0.9999779095030014, 2.209049699858544e-5],
    [4, 0.9999999845827421, 1.541725790028002e-8],
    [5.5, 0.9999999999999927, 7.357847917974398e-15],
    [6.5, 1.0, 3.8421483271206475e-20],
  ];

  it.each(ERF_TABLE)('erf(%d) and erfc to relative 1e-13', (x, e, c) => {
    const rel = (a: number, b: number) => (b === 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b));
    expect(rel(erf(x), e)).toBeLessThan(1e-13);
    expect(rel(erfc(x), c)).toBeLessThan(1e-13);
  });

  it('erf and erfc at the edges', () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erf(NaN)).toBeNaN();
    expect(erfc(Infinity)).toBe(0);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(NaN)).toBeNaN();
  });
});

describe('Expression: errors', () => {
  const fails = (options: ExpressionOptions | string, message: string | RegExp) =>
    expect(() =>
      expression(typeof options === 'string' ? { expression: options } : options),
    ).toThrow(message);

  it('names the expression and the position of a missing or unmatched parenthesis', () => {
    fails('A*exp(-x/ tau', "Expression 'A*exp(-x/ tau': missing ')' at position 14");
    fails('(A*x', "Expression '(A*x': missing ')' at position 5");
    fails('A*x)', "Expression 'A*x)': unmatched ')' at position 4");
    fails('A*(x))+1', "unmatched ')' at position 6");
    fails('exp(A x)', "expected ')' instead of 'x' at position 7");
  });

  it('unknown functions, misused names and wrong argument counts', () => {
    fails('foo(x)*A', "Expression 'foo(x)*A': unknown function 'foo' at position 1");
    fails('A*Exp(x)', "unknown function 'Exp' at position 3");
    fails('A*exp', "'exp' is a function: call it as exp(...) at position 3");
    fails('A*pi(2)', "'pi' is not a function at position 3");
    fails('A*x(2)', "'x' is not a function");
    fails('pow(A)', "function 'pow' takes 2 arguments, got 1 at position 1");
    fails('exp(A, x)', "function 'exp' takes 1 argument, got 2 at position 1");
  });

  it('unknown characters, empty text, missing operands and trailing tokens', () => {
    fails('A*x $ 2', "Expression 'A*x $ 2': unexpected character '$' at position 5");
    fails('A*x = 2', "unexpected character '=' at position 5");
    fails('A*x; 1', "unexpected character ';'");
    fails('', "Expression '': empty expression");
    fails('  \t', 'empty expression');
    fails('A*', "Expression 'A*': missing operand at position 3");
    fails('A*()', "missing operand before ')' at position 4");
    fails('A * * x', "unexpected '*' at position 5");
    fails('A x', "Expression 'A x': expected an operator before 'x' at position 3");
    fails('2x + A', "expected an operator before 'x' at position 2");
    fails('(A)(x)', "expected an operator before '(' at position 4");
    fails('A*x,', "unexpected ',' at position 4");
  });

  it('an expression with no parameters is an error; one without x is a constant', () => {
    fails('x**2', "Expression 'x**2': has no parameters to fit");
    fails('2*pi*e', 'has no parameters to fit');
    const fn = expression({ expression: 'a*2 + pi' });
    const out = new Float64Array(4);
    fn.evaluate(grid(0, 1, 4), 4, Float64Array.of(3), out);
    expect([...out]).toEqual(Array(4).fill(6 + Math.PI));
    const jac = new Float64Array(4);
    fn.jacobian(grid(0, 1, 4), 4, Float64Array.of(3), jac, Int32Array.of(0));
    expect([...jac]).toEqual([2, 2, 2, 2]);
  });

  it('a parameter order must name exactly the parameters used, once each', () => {
    fails(
      { expression: 'A*x + b', parameters: ['A'] },
      /must name each parameter used \(A, b\) once: missing b/,
    );
    fails({ expression: 'A*x + b', parameters: ['A', 'b', 'c'] }, 'not in the expression: c');
    fails({ expression: 'A*x + b', parameters: ['A', 'b', 'A'] }, 'repeated: A');
    fails({ expression: 'A*x + b', parameters: [] }, 'missing A, b');
  });

  it('values must name parameters and be finite', () => {
    fails(
      { expression: 'A*x', values: { B: 2 } },
      "a value is given for 'B', which is not a parameter",
    );
    fails({ expression: 'A*x', values: { A: NaN } }, "the value of 'A' must be a finite number");
  });

  it('throws ExpressionError with the expression and the position as fields', () => {
    try {
      expression({ expression: 'A*exp(-x/ tau' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ExpressionError);
      expect((err as ExpressionError).expression).toBe('A*exp(-x/ tau');
      expect((err as ExpressionError).position).toBe(14);
    }
  });
});

describe('Expression: the component', () => {
  it('has kind, plain options, parameters sorted by name, default 1, free, unbounded, not linear', () => {
    const fn = expression({ expression: 'b*exp(-x/tau) + A + a', values: { tau: 5 } });
    expect(fn.kind).toBe('Expression');
    expect(fn.options).toEqual({
      expression: 'b*exp(-x/tau) + A + a',
      parameters: ['A', 'a', 'b', 'tau'],
    });
    expect(JSON.parse(JSON.stringify(fn.options))).toEqual(fn.options);
    expect(fn.size).toBe(4);
    expect(fn.analyticJacobian).toBe(true);
    expect(fn.parameters.map((p) => [p.name, p.value])).toEqual([
      ['A', 1],
      ['a', 1],
      ['b', 1],
      ['tau', 5],
    ]);
    for (const p of fn.parameters) {
      expect(p.free ?? true).toBe(true);
      expect(p.linear ?? false).toBe(false);
      expect(p.bmin ?? null).toBeNull();
      expect(p.bmax ?? null).toBeNull();
    }
  });

  it('follows a given parameter order, and its options recreate it through the registry', () => {
    const fn = expression({ expression: 'A*exp(-x/tau) + c', parameters: ['tau', 'c', 'A'] });
    expect(fn.parameters.map((p) => p.name)).toEqual(['tau', 'c', 'A']);
    const again = createComponentFunction('Expression', fn.options);
    expect(again.parameters.map((p) => p.name)).toEqual(['tau', 'c', 'A']);
    const x = grid(0, 0.5, 10);
    const p = Float64Array.of(2, 0.5, 3);
    const a = new Float64Array(10);
    const b = new Float64Array(10);
    fn.evaluate(x, 10, p, a);
    again.evaluate(x, 10, p, b);
    expect([...a]).toEqual([...b]);
    expect(a[2]).toBeCloseTo(3 * Math.exp(-1 / 2) + 0.5, 14);
  });

  it('parameters may have names of Object.prototype members', () => {
    const fn = expression({ expression: 'constructor*x + toString + __proto__' });
    expect(fn.parameters.map((p) => [p.name, p.value])).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
      ['toString', 1],
    ]);
  });

  it('gives the same numbers when n shrinks and grows (registers are reused, then regrown)', () => {
    const fn = expression({ expression: 'A*exp(-(x-c)**2/(2*s**2)) + b*x' });
    const p = Float64Array.of(2, 0.5, 0.1, 1.5);
    const x = grid(-3, 0.1, 60);
    const full = new Float64Array(60);
    fn.evaluate(x, 60, p, full);
    for (const n of [5, 60, 3, 60]) {
      const out = new Float64Array(60).fill(-7);
      fn.evaluate(x, n, p, out);
      expect([...out.subarray(0, n)]).toEqual([...full.subarray(0, n)]);
      expect([...out.subarray(n)]).toEqual(Array(60 - n).fill(-7));
    }
  });
});

describe('Expression: symbolic derivatives', () => {
  const d = (text: string, name: string) => formatNode(derivative(parseExpression(text).ast, name));

  it('drops trivial 0 and 1 terms', () => {
    expect(d('A*x', 'A')).toBe('x');
    expect(d('A*x + b', 'b')).toBe('1');
    expect(d('A*x + b', 'A')).toBe('x');
    expect(d('A*exp(-x/tau)', 'A')).toBe('exp(((-x) / tau))');
    expect(d('a*x**2', 'a')).toBe('(x ^ 2)');
    expect(d('x**n', 'n')).toBe('((x ^ n) * log(x))');
    expect(d('b*x', 'a')).toBe('0');
    expect(d('sin(w*x)', 'w')).toBe('(cos((w * x)) * x)');
    expect(d('-A', 'A')).toBe('-1');
  });
});

describe('Expression: analytic Jacobian equals central differences (relative 1e-6)', () => {
  const num = (min: number, max: number): fc.Arbitrary<number> =>
    fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  /**
   * Either sign, magnitude in [min, max]: a value near 0 (5e-324, say) makes a
   * row so small that differences of f, rounded at eps |f|, cannot resolve it.
   */
  const signed = (min: number, max: number): fc.Arbitrary<number> =>
    fc.tuple(fc.boolean(), num(min, max)).map(([neg, v]) => (neg ? -v : v));

  /** Central difference with one Richardson step, as in jacobian.test.ts: error O(h^4). */
  function numericalRow(fn: ComponentFunction, x: Float64Array, p: Float64Array, k: number) {
    const n = x.length;
    const h = 1e-5 * Math.max(Math.abs(p[k]!), 1);
    const central = (step: number): Float64Array => {
      const q = Float64Array.from(p);
      const plus = new Float64Array(n);
      const minus = new Float64Array(n);
      q[k] = p[k]! + step;
      fn.evaluate(x, n, q, plus);
      q[k] = p[k]! - step;
      fn.evaluate(x, n, q, minus);
      return plus.map((v, i) => (v - minus[i]!) / (2 * step));
    };
    const dh = central(h);
    const dh2 = central(h / 2);
    return dh2.map((v, i) => (4 * v - dh[i]!) / 3);
  }

  const CASES: { text: string; params: fc.Arbitrary<number[]>; x: Float64Array }[] = [
    {
      text: 'A*exp(-(x-c)**2/(2*s**2))', // A, c, s
      params: fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5)),
      x: grid(-15, 0.25, 121),
    },
    {
      text: 'a*x**2 + b*sin(w*x) + erf(k*x)', // a, b, k, w
      params: fc.tuple(signed(0.01, 10), signed(0.01, 10), signed(0.01, 3), num(0.1, 3)),
      x: grid(-3, 0.125, 49),
    },
    {
      text: 'A/(1+((x-c)/g)**2)', // A, c, g
      params: fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5)),
      x: grid(-15, 0.25, 121),
    },
    {
      // General powers (parameter in base and exponent), log10, sqrt, tanh, atan, cosh.
      text: 'c*(x+a)**(a*b) + log10(d*x)*tanh(t*x) + atan(x/d) - sqrt(x*t) + cosh(b*x)/t', // a, b, c, d, t
      params: fc.tuple(num(0.5, 2), signed(0.01, 1), signed(0.01, 5), num(0.5, 3), num(0.2, 2)),
      x: grid(0.5, 0.25, 20),
    },
    {
      // abs and erfc, with the kink of abs between axis values.
      text: 'p*abs(x - m) + q*erfc(x/r) + asin(x/(4+r)) * acos(x/(4+r))', // m, p, q, r
      params: fc.tuple(
        fc.integer({ min: -4, max: 4 }).map((k) => k / 2 + 0.125),
        signed(0.01, 3),
        signed(0.01, 3),
        num(0.5, 3),
      ),
      x: grid(-3, 0.25, 25),
    },
  ];

  it.each(CASES)('$text', ({ text, params, x }) => {
    const fn = expression({ expression: text });
    const n = x.length;
    fc.assert(
      fc.property(params, (values) => {
        const p = Float64Array.from(values);
        const jac = new Float64Array(fn.size * n);
        fn.jacobian(
          x,
          n,
          p,
          jac,
          Int32Array.from({ length: fn.size }, (_, k) => k),
        );
        for (let k = 0; k < fn.size; k++) {
          const row = jac.subarray(k * n, (k + 1) * n);
          const numerical = numericalRow(fn, x, p, k);
          let scale = 0;
          for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(row[i]!));
          for (let i = 0; i < n; i++) {
            const a = row[i]!;
            const b = numerical[i]!;
            const tol = 1e-6 * Math.max(Math.abs(a), Math.abs(b), scale);
            if (!(Math.abs(a - b) <= tol)) {
              throw new Error(
                `d/d${fn.parameters[k]!.name} at x = ${x[i]}: analytic ${a}, numerical ${b}, p = [${values.join(', ')}]`,
              );
            }
          }
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('follows the rows convention: skipped slots untouched, rows permuted and offset', () => {
    const fn = expression({ expression: 'a*x**2 + b*sin(w*x) + erf(k*x)' });
    const x = grid(-3, 0.25, 25);
    const n = x.length;
    const p = Float64Array.of(1.5, -2, 0.7, 1.3);
    const reference = new Float64Array(4 * n);
    fn.jacobian(x, n, p, reference, Int32Array.of(0, 1, 2, 3));
    const SENTINEL = -123.5;
    const out = new Float64Array(6 * n).fill(SENTINEL);
    fn.jacobian(x, n, p, out, Int32Array.of(5, -1, 1, -1)); // a -> row 5, k -> row 1
    expect([...out.subarray(5 * n, 6 * n)]).toEqual([...reference.subarray(0, n)]);
    expect([...out.subarray(n, 2 * n)]).toEqual([...reference.subarray(2 * n, 3 * n)]);
    for (const r of [0, 2, 3, 4]) {
      expect([...out.subarray(r * n, (r + 1) * n)]).toEqual(Array(n).fill(SENTINEL));
    }
  });
});

describe('Expression: a Gaussian written out equals the Gaussian component', () => {
  const text = 'A/(sigma*sqrt(2*pi)) * exp(-(x-centre)**2/(2*sigma**2))';
  const expr = expression({ expression: text });
  const gauss = gaussian();
  const x = grid(-15, 0.25, 121);
  const n = x.length;
  const close = (a: Float64Array, b: Float64Array) => {
    let scale = 0;
    for (const v of b) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < a.length; i++) {
      if (!(Math.abs(a[i]! - b[i]!) <= 1e-12 * Math.max(Math.abs(b[i]!), scale * 1e-3))) {
        throw new Error(`at ${i}: expression ${a[i]}, Gaussian ${b[i]}`);
      }
    }
  };

  it('has the Gaussian parameter names in the same order', () => {
    expect(expr.parameters.map((p) => p.name)).toEqual(gauss.parameters.map((p) => p.name));
  });

  it('same values and Jacobian at random parameter points', () => {
    const num = (min: number, max: number) =>
      fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
    fc.assert(
      fc.property(fc.tuple(num(0.1, 1e5), num(-10, 10), num(0.1, 5)), (values) => {
        const p = Float64Array.from(values);
        const a = new Float64Array(n);
        const b = new Float64Array(n);
        expr.evaluate(x, n, p, a);
        gauss.evaluate(x, n, p, b);
        close(a, b);
        const rows = Int32Array.of(0, 1, 2);
        const ja = new Float64Array(3 * n);
        const jb = new Float64Array(3 * n);
        expr.jacobian(x, n, p, ja, rows);
        gauss.jacobian(x, n, p, jb, rows);
        for (let k = 0; k < 3; k++) {
          close(ja.subarray(k * n, (k + 1) * n), jb.subarray(k * n, (k + 1) * n));
        }
      }),
      { seed: 42, numRuns: 100 },
    );
  });
});

describe('Expression: the text is never run as JavaScript', () => {
  const dir = new URL('../../../core/src/components/expression/', import.meta.url);
  const files = [
    new URL('../expression.ts', dir),
    ...readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => new URL(f, dir)),
  ];

  it('no source file of the component uses eval or the Function constructor', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect(source, file.pathname).not.toMatch(/\beval\b|new Function|\bFunction\s*\(/);
    }
  });

  it('builds, evaluates and differentiates with eval and Function made to throw', () => {
    const g = globalThis as unknown as { eval: unknown; Function: unknown };
    const saved = { eval: g.eval, Function: g.Function };
    const trap = () => {
      throw new Error('code evaluation was attempted');
    };
    g.eval = trap;
    g.Function = trap;
    try {
      const fn = expression({ expression: 'A*exp(-(x-c)**2/(2*s**2)) + erf(k*x)' });
      const x = grid(-2, 0.5, 9);
      const p = Float64Array.of(1, 0, 2, 0.5);
      fn.evaluate(x, 9, p, new Float64Array(9));
      fn.jacobian(x, 9, p, new Float64Array(36), Int32Array.of(0, 1, 2, 3));
    } finally {
      g.eval = saved.eval;
      g.Function = saved.Function;
    }
  });

  it('a would-be injection is just a parse error', () => {
    expect(() => expression({ expression: 'A*x; process.exit(1)' })).toThrow(
      "unexpected character ';'",
    );
    expect(() => expression({ expression: 'A*constructor.constructor("return 1")()' })).toThrow(
      "unexpected character '.'",
    );
  });
});
