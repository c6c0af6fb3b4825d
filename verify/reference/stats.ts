// Tail probabilities for the reference detector, as log10 so that very small probabilities (a
// tenfold spike is far beyond 1e-300) keep their order instead of underflowing to 0.
// Regularized incomplete gamma by series and continued fraction (Numerical Recipes, ch. 6.2);
// log-gamma by Lanczos' approximation; normal tail by erfc with the asymptotic series far out.

const LN10 = Math.log(10);
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < 9; i++) sum += LANCZOS[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln P(a, x), the regularized lower incomplete gamma function. */
function logLowerGamma(a: number, x: number): number {
  if (x <= 0) return -Infinity;
  const prefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 10_000; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return prefix + Math.log(sum);
  }
  return Math.log1p(-Math.exp(logUpperGamma(a, x)));
}

/** ln Q(a, x) = ln(1 - P(a, x)), the regularized upper incomplete gamma function. */
function logUpperGamma(a: number, x: number): number {
  if (x <= 0) return 0;
  if (x < a + 1) return Math.log1p(-Math.exp(logLowerGamma(a, x)));
  const prefix = -x + a * Math.log(x) - logGamma(a);
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return prefix + Math.log(h);
}

/** log10 P(X >= k) for X ~ Poisson(mean); k may be fractional (a scaled count). */
export function poissonUpperLog10(k: number, mean: number): number {
  if (k <= 0) return 0;
  if (mean <= 0) return -Infinity;
  return Math.min(0, logLowerGamma(k, mean) / LN10);
}

/** log10 P(X <= k) for X ~ Poisson(mean). */
export function poissonLowerLog10(k: number, mean: number): number {
  if (k < 0) return -Infinity;
  if (mean <= 0) return 0;
  return Math.min(0, logUpperGamma(k + 1, mean) / LN10);
}

/** log10 P(Z >= z) for a standard normal Z. */
export function normalUpperLog10(z: number): number {
  if (z < 5) {
    // erfc by the Chebyshev fit of Numerical Recipes (erfcc), fractional error below 1.2e-7.
    const x = z / Math.SQRT2;
    const ax = Math.abs(x);
    const t = 1 / (1 + 0.5 * ax);
    const tau =
      t *
      Math.exp(
        -ax * ax - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
    const erfc = x >= 0 ? tau : 2 - tau;
    return Math.log10(erfc / 2);
  }
  const z2 = z * z;
  const series = 1 - 1 / z2 + 3 / (z2 * z2) - 15 / (z2 * z2 * z2);
  return (-z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(series)) / LN10;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
