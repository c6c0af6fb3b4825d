// The time follow mode lives by, injected so that tests and benchmarks can run hours of live
// traffic in seconds: `now` says what time it is, `sleep` waits (or, for a virtual clock, moves
// time on). Both clocks stop sleeping at once when the signal aborts.

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` (at once when `signal` aborts, without throwing). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The machine's clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/**
 * A clock that only moves when someone sleeps: `sleep(ms)` adds ms at once and yields to the event
 * loop, so real work (a request to a real Elasticsearch) still happens in between, but no real
 * time is spent waiting. `advance` moves it from outside, as an impatient test would.
 */
export class VirtualClock implements Clock {
  private timeMs: number;

  constructor(start: Date | number) {
    this.timeMs = typeof start === "number" ? start : start.getTime();
  }

  now(): number {
    return this.timeMs;
  }

  advance(ms: number): void {
    this.timeMs += Math.max(0, ms);
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.timeMs += Math.max(0, ms);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
