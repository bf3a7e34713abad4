/**
 * Compiles Expression ASTs into a flat program and runs it over Float64Arrays.
 *
 * Why this shape: a fit calls evaluate/jacobian thousands of times per pixel,
 * so the tree is walked once, here, not per call or per channel. Identical
 * subtrees are merged (hash-consing), so the Jacobian's rows share exp(...)
 * and friends. Every DAG node owns a register: a Float64Array of the channel
 * count if it depends on x, or of length 1 if it does not (parameters,
 * numbers, and anything built only from them, computed once per call, not per
 * channel). Registers are read with a stride of 1 or 0, so one loop per
 * operation serves vector and scalar operands alike. Vector registers are
 * allocated on first use and grown only when n grows: a call with the same n
 * allocates nothing.
 */
import type { BinaryOperator, Node, UnaryFunction } from './parser.js';

type Op = BinaryOperator | UnaryFunction | 'negate' | 'square';

interface Instruction {
  readonly op: Op;
  readonly a: number;
  /** Second operand register (binary operators), else -1. */
  readonly b: number;
  readonly out: number;
  /** Depends on x: runs over n channels, else once. */
  readonly vector: boolean;
}

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

/**
 * erfc(x) for x >= 1 by its continued fraction (modified Lentz; under 200
 * terms from x = 1, under 40 from x = 2.5):
 * erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
 */
function erfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? 1 / tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (INV_SQRT_PI * Math.exp(-x * x)) / f;
}

/**
 * erf(x) * exp(x^2) * sqrt(pi) / 2 for |x| < 2.5 by the series
 * sum 2^k x^(2k+1) / (1 3 5 ... (2k+1)), whose terms are all of one sign,
 * so unlike the alternating Taylor series it loses no digits to cancellation.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let k = 1; k < 200; k++) {
    term *= (2 * x2) / (2 * k + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** The error function, relative error below 1e-14 (checked against mpmath in the tests). */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2.5) return erfSeries(x);
  if (ax > 6) return x > 0 ? 1 : -1; // erfc(6) = 2e-17: 1 to double precision
  if (Number.isNaN(x)) return NaN;
  const c = erfcContinuedFraction(ax);
  return x > 0 ? 1 - c : c - 1;
}

/**
 * The complementary error function 1 - erf(x), relative error below 1e-14
 * also where it is tiny: 1 - erf(x) only below x = 1, where erfc > 0.15.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 1) return x > -6 ? 1 - erf(x) : 2;
  if (x > 27.3) return 0; // below the smallest double
  return erfcContinuedFraction(x);
}

/** A compiled set of roots (f, or the partial derivatives) sharing one register file. */
export class Program {
  private readonly instructions: Instruction[] = [];
  private readonly registers: Float64Array[] = [];
  /** 1 for registers that depend on x, 0 for scalars (read at index 0 for every channel). */
  private readonly strides: number[] = [];
  /** Register of the x axis (bound to the caller's array each run), or -1. */
  private readonly xRegister: number;
  /** Register of each parameter slot, or -1 if this program does not read it. */
  private readonly parameterRegisters: Int32Array;
  private readonly rootRegisters: Int32Array;
  /** Per root: indices of the instructions it needs, in execution order. */
  private readonly rootNeeds: Int32Array[];
  /** Scratch for run(): which instructions the requested roots need. */
  private readonly needed: Uint8Array;
  private capacity = 0;

  constructor(roots: readonly Node[], parameters: readonly string[]) {
    const byKey = new Map<string, number>();
    const instructionOf: number[] = []; // register -> instruction index, or -1 for leaves
    let xRegister = -1;
    const parameterRegisters = new Int32Array(parameters.length).fill(-1);

    const leaf = (key: string, value: Float64Array, stride: number): number => {
      const existing = byKey.get(key);
      if (existing !== undefined) return existing;
      const r = this.registers.length;
      this.registers.push(value);
      this.strides.push(stride);
      instructionOf.push(-1);
      byKey.set(key, r);
      return r;
    };
    const emit = (op: Op, a: number, b: number): number => {
      const key = `${op}:${a}:${b}`;
      const existing = byKey.get(key);
      if (existing !== undefined) return existing;
      const vector = this.strides[a] === 1 || (b >= 0 && this.strides[b] === 1);
      const r = this.registers.length;
      this.registers.push(new Float64Array(vector ? 0 : 1)); // vectors sized in ensureCapacity
      this.strides.push(vector ? 1 : 0);
      instructionOf.push(this.instructions.length);
      this.instructions.push({ op, a, b, out: r, vector });
      byKey.set(key, r);
      return r;
    };
    const visit = (node: Node): number => {
      switch (node.kind) {
        case 'number': {
          const key = Object.is(node.value, -0) ? 'n:-0' : `n:${node.value}`;
          return leaf(key, Float64Array.of(node.value), 0);
        }
        case 'x':
          xRegister = leaf('x', new Float64Array(0), 1);
          return xRegister;
        case 'parameter': {
          const slot = parameters.indexOf(node.name);
          if (slot < 0) throw new Error(`Expression: parameter '${node.name}' has no slot`);
          const r = leaf(`p:${slot}`, new Float64Array(1), 0);
          parameterRegisters[slot] = r;
          return r;
        }
        case 'negate':
          return emit('negate', visit(node.arg), -1);
        case 'call':
          return emit(node.fn, visit(node.arg), -1);
        case 'binary': {
          // u^2 is by far the commonest power (Gaussian, Lorentzian): multiply, skip pow.
          if (node.op === '^' && node.right.kind === 'number' && node.right.value === 2) {
            return emit('square', visit(node.left), -1);
          }
          return emit(node.op, visit(node.left), visit(node.right));
        }
      }
    };

    this.rootRegisters = Int32Array.from(roots.map(visit));
    this.xRegister = xRegister;
    this.parameterRegisters = parameterRegisters;
    this.needed = new Uint8Array(this.instructions.length);
    // Instructions are emitted after their operands, so sorting the reachable
    // set by index gives a valid execution order.
    this.rootNeeds = Array.from(this.rootRegisters, (root) => {
      const seen = new Set<number>();
      const stack = [root];
      while (stack.length > 0) {
        const i = instructionOf[stack.pop()!]!;
        if (i < 0 || seen.has(i)) continue;
        seen.add(i);
        const ins = this.instructions[i]!;
        stack.push(ins.a);
        if (ins.b >= 0) stack.push(ins.b);
      }
      return Int32Array.from([...seen].sort((p, q) => p - q));
    });
  }

  /**
   * Computes every root r with rows[r] >= 0 and writes it to
   * out[rows[r] * n + i] for i < n (the ComponentFunction.jacobian convention).
   */
  run(x: Float64Array, n: number, p: Float64Array, rows: Int32Array, out: Float64Array): void {
    this.ensureCapacity(n);
    if (this.xRegister >= 0) this.registers[this.xRegister] = x;
    for (let k = 0; k < this.parameterRegisters.length; k++) {
      const r = this.parameterRegisters[k]!;
      if (r >= 0) this.registers[r]![0] = p[k]!;
    }
    const needed = this.needed;
    needed.fill(0);
    const roots = this.rootRegisters.length;
    for (let r = 0; r < roots; r++) {
      if (rows[r]! < 0) continue;
      const needs = this.rootNeeds[r]!;
      for (let j = 0; j < needs.length; j++) needed[needs[j]!] = 1;
    }
    for (let i = 0; i < this.instructions.length; i++) {
      if (needed[i] === 1) this.execute(this.instructions[i]!, n);
    }
    for (let r = 0; r < roots; r++) {
      const row = rows[r]!;
      if (row < 0) continue;
      const reg = this.rootRegisters[r]!;
      const v = this.registers[reg]!;
      const s = this.strides[reg]!;
      const base = row * n;
      for (let i = 0; i < n; i++) out[base + i] = v[i * s]!;
    }
  }

  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    for (const ins of this.instructions) {
      if (ins.vector) this.registers[ins.out] = new Float64Array(n);
    }
    this.capacity = n;
  }

  /** One instruction over its channels: a tight loop per operation, no per-channel calls through closures. */
  private execute(ins: Instruction, n: number): void {
    const len = ins.vector ? n : 1;
    const o = this.registers[ins.out]!;
    const a = this.registers[ins.a]!;
    const sa = this.strides[ins.a]!;
    const b = ins.b >= 0 ? this.registers[ins.b]! : a;
    const sb = ins.b >= 0 ? this.strides[ins.b]! : 0;
    let i = 0;
    switch (ins.op) {
      case '+':
        for (; i < len; i++) o[i] = a[i * sa]! + b[i * sb]!;
        break;
      case '-':
        for (; i < len; i++) o[i] = a[i * sa]! - b[i * sb]!;
        break;
      case '*':
        for (; i < len; i++) o[i] = a[i * sa]! * b[i * sb]!;
        break;
      case '/':
        for (; i < len; i++) o[i] = a[i * sa]! / b[i * sb]!;
        break;
      case '^':
        for (; i < len; i++) o[i] = Math.pow(a[i * sa]!, b[i * sb]!);
        break;
      case 'negate':
        for (; i < len; i++) o[i] = -a[i * sa]!;
        break;
      case 'square':
        for (; i < len; i++) o[i] = a[i * sa]! * a[i * sa]!;
        break;
      case 'exp':
        for (; i < len; i++) o[i] = Math.exp(a[i * sa]!);
        break;
      case 'log':
        for (; i < len; i++) o[i] = Math.log(a[i * sa]!);
        break;
      case 'log10':
        for (; i < len; i++) o[i] = Math.log10(a[i * sa]!);
        break;
      case 'sqrt':
        for (; i < len; i++) o[i] = Math.sqrt(a[i * sa]!);
        break;
      case 'sin':
        for (; i < len; i++) o[i] = Math.sin(a[i * sa]!);
        break;
      case 'cos':
        for (; i < len; i++) o[i] = Math.cos(a[i * sa]!);
        break;
      case 'tan':
        for (; i < len; i++) o[i] = Math.tan(a[i * sa]!);
        break;
      case 'asin':
        for (; i < len; i++) o[i] = Math.asin(a[i * sa]!);
        break;
      case 'acos':
        for (; i < len; i++) o[i] = Math.acos(a[i * sa]!);
        break;
      case 'atan':
        for (; i < len; i++) o[i] = Math.atan(a[i * sa]!);
        break;
      case 'sinh':
        for (; i < len; i++) o[i] = Math.sinh(a[i * sa]!);
        break;
      case 'cosh':
        for (; i < len; i++) o[i] = Math.cosh(a[i * sa]!);
        break;
      case 'tanh':
        for (; i < len; i++) o[i] = Math.tanh(a[i * sa]!);
        break;
      case 'abs':
        for (; i < len; i++) o[i] = Math.abs(a[i * sa]!);
        break;
      case 'sign':
        for (; i < len; i++) o[i] = Math.sign(a[i * sa]!);
        break;
      case 'erf':
        for (; i < len; i++) o[i] = erf(a[i * sa]!);
        break;
      case 'erfc':
        for (; i < len; i++) o[i] = erfc(a[i * sa]!);
        break;
    }
  }
}
