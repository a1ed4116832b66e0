/** Percentages as coffer's API takes them: whole basis points (1000 is 10 %). */

/** Basis points as a percent for people: 1000 → "10", 125 → "1.25". */
export function percentText(bps: number): string {
  return (bps / 100).toFixed(2).replace(/\.?0+$/, "");
}

/** "12.5" → 1250 basis points; undefined when it is not a percent from 0.01 to 100. */
export function parsePercent(text: string): number | undefined {
  const match = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  const bps = Number(match[1]) * 100 + Number((match[2] ?? "").padEnd(2, "0"));
  return bps >= 1 && bps <= 10_000 ? bps : undefined;
}
