import { Type } from "@sinclair/typebox";
import { timestampSecondsMax, timestampSecondsMin } from "../limits.js";

/**
 * Times a client gives (list filters such as created_gte, created[lte]) are Unix seconds, one schema for all of
 * them with the bounds of timestampSecondsMin and timestampSecondsMax. Anything else is refused by validation with
 * 400 parameter_invalid naming the filter, so no out-of-range Date ever reaches PostgreSQL.
 */
export function unixSecondsSchema(description: string, options: { deprecated?: boolean } = {}) {
  return Type.Integer({
    ...options,
    minimum: timestampSecondsMin,
    maximum: timestampSecondsMax,
    description: `${description} Unix seconds, ${timestampSecondsMin} to ${timestampSecondsMax} (the last second of 9999).`,
  });
}

/** The Date of a validated unixSecondsSchema value; undefined stays undefined (the filter was not given). */
export function dateFromUnixSeconds(seconds: number | undefined): Date | undefined {
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}
