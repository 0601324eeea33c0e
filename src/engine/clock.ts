/** Time for the engine. The core never reads a clock; the engine stamps events with this. */
export interface Clock {
  now(): string;
  nowMs(): number;
}

export const systemClock: Clock = {
  now: () => new Date().toISOString(),
  nowMs: () => Date.now(),
};
