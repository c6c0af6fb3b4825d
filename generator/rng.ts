// A small seeded pseudo-random generator and the samplers the traffic model needs.
// Math.random cannot be seeded, and the lab promises that a seed fixes the output byte for byte,
// so every random choice in the generator goes through `Random`.
//
// The core is sfc32 (Chris Doty-Humphrey's "small fast counting" generator, as used by PractRand):
// four 32-bit words of state, passes PractRand to 2^60 bytes, and needs only integer additions,
// shifts and xors, which V8 runs without allocating.

const TWO_POW_32 = 4294967296;

/** FNV-1a over the string's UTF-16 units, then a final avalanche; a 32-bit unsigned hash. */
export function hashString(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return avalanche(hash);
}

/** Murmur3's finaliser: spreads every input bit over the whole word. */
function avalanche(value: number): number {
  let hash = value >>> 0;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Splits a safe integer seed (up to 2^53, negative allowed) into two 32-bit words. */
function seedWords(seed: number): [number, number] {
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_POW_32) >>> 0;
  return [low, high];
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = 0;
  private hasSpareNormal = false;

  /**
   * @param seed any safe integer
   * @param stream a label that gives an independent sequence for the same seed, so that adding a
   *   draw in one part of the model does not shift the numbers every other part sees.
   */
  constructor(
    readonly seed: number,
    readonly stream = "",
  ) {
    const [low, high] = seedWords(seed);
    const label = hashString(stream);
    this.a = avalanche(low ^ 0x9e3779b9);
    this.b = avalanche(high ^ 0x243f6a88);
    this.c = avalanche(label ^ 0xb7e15162);
    this.d = 1;
    // Warm-up recommended by the author: the first outputs of a fresh state are correlated.
    for (let round = 0; round < 15; round++) this.nextUint32();
  }

  /** An independent generator for a named part of the model. */
  fork(stream: string): Random {
    return new Random(this.seed, this.stream === "" ? stream : `${this.stream}/${stream}`);
  }

  nextUint32(): number {
    const a = this.a;
    const b = this.b;
    const c = this.c;
    const d = this.d;
    const t = (((a + b) | 0) + d) | 0;
    this.d = (d + 1) | 0;
    this.a = b ^ (b >>> 9);
    this.b = (c + (c << 3)) | 0;
    const rotated = (c << 21) | (c >>> 11);
    this.c = (rotated + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  float(): number {
    return this.nextUint32() / TWO_POW_32;
  }

  /** Uniform integer in [0, bound). */
  below(bound: number): number {
    return Math.floor(this.float() * bound);
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.float();
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.float() < probability;
  }

  /** Exponential with mean 1: the gap between Poisson arrivals at unit rate. */
  exponential(): number {
    // 1 - float() lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.float());
  }

  /** Standard normal, by Marsaglia's polar method (each round yields two values; one is kept). */
  normal(): number {
    if (this.hasSpareNormal) {
      this.hasSpareNormal = false;
      return this.spareNormal;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.float() - 1;
      v = 2 * this.float() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    this.hasSpareNormal = true;
    return u * factor;
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }

  /** A shuffled copy (Fisher-Yates). */
  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let index = copy.length - 1; index > 0; index--) {
      const other = this.below(index + 1);
      const held = copy[index];
      copy[index] = copy[other];
      copy[other] = held;
    }
    return copy;
  }
}

/**
 * Weighted choice in constant time per draw (Walker's alias method, with Vose's stable set-up).
 * The traffic model draws a URL, a client and a host for every event, from pools of thousands,
 * so a linear or binary search per draw would cost more than serialising the event.
 */
export class WeightedChoice {
  readonly size: number;
  private readonly threshold: Float64Array;
  private readonly alias: Int32Array;

  constructor(weights: readonly number[]) {
    const size = weights.length;
    if (size === 0) throw new RangeError("WeightedChoice needs at least one weight");
    let total = 0;
    for (const weight of weights) {
      if (!(weight >= 0) || !Number.isFinite(weight)) throw new RangeError(`weights must be finite and >= 0, got ${weight}`);
      total += weight;
    }
    if (total <= 0) throw new RangeError("weights must not all be 0");
    this.size = size;
    this.threshold = new Float64Array(size);
    this.alias = new Int32Array(size);
    const scaled = weights.map((weight) => (weight * size) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((value, index) => (value < 1 ? small : large).push(index));
    while (small.length > 0 && large.length > 0) {
      const less = small.pop()!;
      const more = large.pop()!;
      this.threshold[less] = scaled[less];
      this.alias[less] = more;
      scaled[more] = scaled[more] + scaled[less] - 1;
      (scaled[more] < 1 ? small : large).push(more);
    }
    for (const index of large) this.threshold[index] = 1;
    for (const index of small) this.threshold[index] = 1;
  }

  /** An index drawn with probability proportional to its weight. */
  pick(random: Random): number {
    const scaled = random.float() * this.size;
    const column = Math.floor(scaled);
    return scaled - column < this.threshold[column] ? column : this.alias[column];
  }
}
