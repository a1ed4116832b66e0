/** API timestamps are Unix seconds, as in events. */
export function unixSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

export function unixSecondsOrNull(at: Date | null): number | null {
  return at === null ? null : unixSeconds(at);
}
