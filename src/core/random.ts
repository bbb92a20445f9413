/**
 * Seeded pseudo-random numbers for reproducible searches. sfc32 (Chris Doty-Humphrey's Small
 * Fast Counter): 128-bit state, passes PractRand, and costs a few integer ops per draw — it sits
 * in the inner loop of every accelerator search, where a library call per draw would dominate.
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in (0, 1): never 0, so log(u) is finite. */
  next(): number {
    return (this.nextUint32() + 0.5) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** One of `options`, uniformly (one draw). */
  pick<T>(options: readonly T[]): T {
    return options[this.int(options.length)];
  }

  /** A standard Gumbel sample. */
  gumbel(): number {
    return -Math.log(-Math.log(this.next()));
  }
}

/** Seeded standard-normal values (Box–Muller), e.g. a stand-in for normalised images. */
export function gaussianValues(rng: Rng, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return out;
}
