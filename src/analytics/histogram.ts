/**
 * Time to pay (paid_at − created_at of a succeeded payment) is kept as a count per fixed bucket, not per payment,
 * so a median over a year is a sum of 16 columns. The bounds are part of the schema (ttp_h00..ttp_h15 of
 * analytics_rollups and analytics_platform_hourly): changing them means rebuilding the rollups.
 */

/** Upper bounds (inclusive) of the first 15 buckets, in milliseconds; the 16th holds everything longer. */
export const timeToPayBucketUpperMs: readonly number[] = [
  1_000, 2_000, 5_000, 10_000, 20_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000,
  21_600_000, 86_400_000,
];

export const timeToPayBucketCount = timeToPayBucketUpperMs.length + 1;

/** The column names of the buckets, in order. */
export const timeToPayColumns: readonly string[] = Array.from(
  { length: timeToPayBucketCount },
  (_, i) => `ttp_h${String(i).padStart(2, "0")}`,
);

/** The bucket a time to pay falls in (a negative one, which the clocks should not produce, counts as the first). */
export function timeToPayBucket(ms: number): number {
  const index = timeToPayBucketUpperMs.findIndex((upper) => ms <= upper);
  return index === -1 ? timeToPayBucketUpperMs.length : index;
}

/**
 * The q-quantile (0 < q < 1) estimated from bucket counts, as Prometheus' histogram_quantile does: find the bucket
 * holding the rank q × total and interpolate linearly between its bounds (the first bucket starts at 0). A rank in
 * the open last bucket answers its lower bound, the largest figure the histogram can vouch for. Null without data.
 */
export function timeToPayQuantileMs(counts: readonly bigint[], q: number): number | null {
  const total = counts.reduce((sum, c) => sum + c, 0n);
  if (total <= 0n) return null;
  const rank = q * Number(total);
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = Number(counts[i]);
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : timeToPayBucketUpperMs[i - 1]!;
      const upper = timeToPayBucketUpperMs[i];
      if (upper === undefined) return lower;
      return Math.round(lower + ((upper - lower) * (rank - below)) / count);
    }
    below += count;
  }
  return timeToPayBucketUpperMs[timeToPayBucketUpperMs.length - 1]!;
}
