// Time as a parameter: `lab-verify verify --live` waits for hours, and its tests run those hours in
// milliseconds with a clock whose sleep only moves its own `now`.

export interface Clock {
  /** Epoch ms */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};
