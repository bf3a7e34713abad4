/**
 * Choosing between good fits with different optional components on: the new
 * fit wins when its AICc is lower by more than 1%, or when it is within 1%
 * and has fewer free parameters (the simpler model is preferred when the
 * data cannot tell them apart).
 *
 * The note writes the first rule as AICc < 0.99 * best; that is the same for
 * the positive AICc that Poisson counts give, and the margin is taken as
 * 1% of |best| so that it also means "lower" for a negative AICc.
 */
export function aiccWins(
  aicc: number,
  freeParameters: number,
  bestAicc: number,
  bestFreeParameters: number,
): boolean {
  // An infinite AICc (a model predicting no counts where some were seen, or
  // too few channels) loses to any finite one.
  if (!Number.isFinite(bestAicc) || !Number.isFinite(aicc)) {
    if (Number.isFinite(aicc) !== Number.isFinite(bestAicc)) return Number.isFinite(aicc);
    return freeParameters < bestFreeParameters;
  }
  const margin = 0.01 * Math.abs(bestAicc);
  if (aicc < bestAicc - margin) return true;
  return Math.abs(aicc - bestAicc) <= margin && freeParameters < bestFreeParameters;
}
