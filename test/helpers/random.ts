/**
 * Seeded random numbers for tests: mulberry32 (a 32-bit PRNG, uniform on
 * [0, 1)), a Gaussian sampler (Box-Muller) and a Poisson sampler (Knuth's
 * product method below lambda = 10, Hörmann's PTRS transformed rejection
 * above, as numpy does). Written here, independent of the code under test.
 */

export type Uniform = () => number;

/** mulberry32: a small, fast, seeded PRNG; uniform on [0, 1). */
export function mulberry32(seed: number): Uniform {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Normal deviate with the given mean and standard deviation (Box-Muller). */
export function gaussianSample(rand: Uniform, mean = 0, sd = 1): number {
  let u = rand();
  while (u === 0) u = rand();
  const v = rand();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const LOG_FACTORIAL: number[] = [0];
for (let k = 1; k < 256; k++) LOG_FACTORIAL.push(LOG_FACTORIAL[k - 1]! + Math.log(k));

/** ln(k!) exactly summed below 256, Stirling's series above (error < 1e-15 relative). */
export function logFactorial(k: number): number {
  if (k < 256) return LOG_FACTORIAL[k]!;
  const z = k + 1;
  const iz = 1 / z;
  const iz2 = iz * iz;
  return (
    (z - 0.5) * Math.log(z) -
    z +
    0.5 * Math.log(2 * Math.PI) +
    iz * (1 / 12 - iz2 * (1 / 360 - iz2 * (1 / 1260 - iz2 / 1680)))
  );
}

/** Poisson deviate of mean `lambda` (>= 0). */
export function poissonSample(rand: Uniform, lambda: number): number {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new Error(`poisson: bad mean ${lambda}`);
  if (lambda === 0) return 0;
  if (lambda < 10) {
    const limit = Math.exp(-lambda);
    let k = 0;
    let prod = rand();
    while (prod > limit) {
      k++;
      prod *= rand();
    }
    return k;
  }
  // PTRS: W. Hörmann, "The transformed rejection method for generating Poisson
  // random variables", Insurance: Mathematics and Economics 12 (1993) 39-45.
  const slam = Math.sqrt(lambda);
  const loglam = Math.log(lambda);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rand() - 0.5;
    const v = rand();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (
      Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <=
      -lambda + k * loglam - logFactorial(k)
    ) {
      return k;
    }
  }
}

/** Poisson counts with the given means, one per element. */
export function poissonNoise(rand: Uniform, means: ArrayLike<number>): Float64Array {
  return Float64Array.from({ length: means.length }, (_, i) => poissonSample(rand, means[i]!));
}

/** Means plus Gaussian noise of standard deviation `sd`. */
export function gaussianNoise(rand: Uniform, means: ArrayLike<number>, sd: number): Float64Array {
  return Float64Array.from({ length: means.length }, (_, i) => gaussianSample(rand, means[i]!, sd));
}

/** A uniform deviate on [lo, hi). */
export function uniform(rand: Uniform, lo: number, hi: number): number {
  return lo + (hi - lo) * rand();
}
