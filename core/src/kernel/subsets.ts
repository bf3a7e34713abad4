/**
 * Subsets of the optional components in the order the kernel tries them:
 * from none to all, by size, then in lexicographic order of their indices
 * within a size (so with one optional component: off, then on).
 */
export function subsetsBySize(items: readonly number[]): number[][] {
  const out: number[][] = [];
  const n = items.length;
  const pick = new Int32Array(n);
  for (let k = 0; k <= n; k++) {
    for (let i = 0; i < k; i++) pick[i] = i;
    for (;;) {
      out.push(Array.from(pick.subarray(0, k), (i) => items[i]!));
      // Advance to the next k-combination of 0..n-1 (lexicographic).
      let i = k - 1;
      while (i >= 0 && pick[i] === n - k + i) i--;
      if (i < 0) break;
      pick[i]!++;
      for (let j = i + 1; j < k; j++) pick[j] = pick[j - 1]! + 1;
    }
  }
  return out;
}
