import { Type } from "@sinclair/typebox";
import { ApiError } from "./errors.js";
import { unixSecondsSchema } from "./timestamps.js";

/**
 * The one creation-time filter of every list: `created[gte]`, `created[gt]`, `created[lte]` and `created[lt]`, in
 * Unix seconds, any of them together. Lists read it as one half-open range [gte, lt) of instants, so a list's SQL
 * has a single form whatever the caller sent: `created[gt]=t` is "at or after t + 1 s" and `created[lte]=t` "before
 * t + 1 s", because an object created at t.5 s shows `created: t`.
 */
export const createdFilterProperties = {
  "created[gte]": Type.Optional(unixSecondsSchema("Only objects created at or after this time.")),
  "created[gt]": Type.Optional(unixSecondsSchema("Only objects created after this time.")),
  "created[lte]": Type.Optional(unixSecondsSchema("Only objects created at or before this time.")),
  "created[lt]": Type.Optional(unixSecondsSchema("Only objects created before this time.")),
};

export interface CreatedFilterQuery {
  "created[gte]"?: number;
  "created[gt]"?: number;
  "created[lte]"?: number;
  "created[lt]"?: number;
}

/** Instants: created_at >= gte and created_at < lt; either may be absent. */
export interface CreatedRange {
  gte: Date | undefined;
  lt: Date | undefined;
}

const msPerS = 1000;

/** The larger of two optional numbers; undefined only when both are. */
export function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

/** The smaller of two optional numbers; undefined only when both are. */
export function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

/**
 * The range a list's query asks for. A range that holds no second at all (created[gte]=10&created[lt]=10) is a
 * mistake, not a question, and answers 400 parameter_invalid rather than an empty page.
 */
export function createdRange(query: CreatedFilterQuery): CreatedRange {
  const gt = query["created[gt]"];
  const lte = query["created[lte]"];
  const fromS = maxDefined(query["created[gte]"], gt === undefined ? undefined : gt + 1);
  const untilS = minDefined(query["created[lt]"], lte === undefined ? undefined : lte + 1);
  if (fromS !== undefined && untilS !== undefined && fromS >= untilS) {
    throw new ApiError("parameter_invalid", "The created[…] filters leave no time between them.", "created[lt]");
  }
  return {
    gte: fromS === undefined ? undefined : new Date(fromS * msPerS),
    lt: untilS === undefined ? undefined : new Date(untilS * msPerS),
  };
}
