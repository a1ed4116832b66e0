/**
 * Time, injectable. Every time-dependent rule (expiries, timeouts, retries, schedules) reads a Clock, so tests and
 * the sandbox's test clock can move time without sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: for tests. */
export function manualClock(
  start: Date | string = "2026-01-01T00:00:00Z",
): Clock & { advance(ms: number): void; set(at: Date): void } {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance(ms) {
      current += ms;
    },
    set(at) {
      current = at.getTime();
    },
  };
}
