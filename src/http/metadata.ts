import { type Static, Type } from "@sinclair/typebox";
import { metadataKeyLengthMax, metadataKeysMax, metadataValueLengthMax } from "../limits.js";
import { ApiError } from "./errors.js";

/**
 * `metadata`: the merchant's own key-value pairs on every object it owns (payments, refunds, payouts, payment
 * links, stores, tills, webhook endpoints). Given at creation and changed later by an update that merges: a key
 * given with a value sets it, a key given with "" removes it, keys not given stay; `metadata: {}` changes nothing.
 * Limits are checked on the merged result, so an update that would hold too many keys changes nothing.
 */
export type Metadata = Record<string, string>;

const metadataDescription = "Your own key-value pairs (strings), returned as they were given.";

export const MetadataSchema = Type.Object(
  {},
  {
    additionalProperties: Type.String({ maxLength: metadataValueLengthMax }),
    maxProperties: metadataKeysMax,
    description: metadataDescription,
  },
);

/**
 * Input of creates and updates: on an update, "" removes the key. An update may name up to twice the limit (remove
 * every key and set new ones at once); the limit itself is checked on the merged result.
 */
export const MetadataInput = Type.Object(
  {},
  {
    additionalProperties: Type.String({ maxLength: metadataValueLengthMax }),
    maxProperties: 2 * metadataKeysMax,
    description: `${metadataDescription} On an update, keys merge into what the object has; a key set to "" is removed.`,
  },
);
export type MetadataInputValue = Static<typeof MetadataInput>;

function checkEntry(key: string, value: unknown): void {
  if (key.length === 0 || key.length > metadataKeyLengthMax || typeof value !== "string") {
    throw new ApiError(
      "parameter_invalid",
      `metadata keys are 1 to ${metadataKeyLengthMax} characters, values strings.`,
      `metadata.${key}`,
    );
  }
  if (value.length > metadataValueLengthMax) {
    throw new ApiError(
      "parameter_invalid",
      `metadata values are at most ${metadataValueLengthMax} characters.`,
      `metadata.${key}`,
    );
  }
}

function checkCount(count: number): void {
  if (count > metadataKeysMax) {
    throw new ApiError("parameter_invalid", `metadata holds at most ${metadataKeysMax} keys.`, "metadata");
  }
}

/** The metadata of a new object: checked, with "" values dropped (nothing to remove yet). */
export function metadataOf(input: Metadata | undefined): Metadata {
  return mergeMetadata({}, input);
}

/** What an object's metadata becomes after an update (see above); throws parameter_invalid and changes nothing. */
export function mergeMetadata(current: Metadata, patch: Metadata | undefined): Metadata {
  const merged: Metadata = { ...current };
  for (const [key, value] of Object.entries(patch ?? {})) {
    checkEntry(key, value);
    if (value === "") delete merged[key];
    else merged[key] = value;
  }
  checkCount(Object.keys(merged).length);
  return merged;
}

export function sameMetadata(a: Metadata, b: Metadata): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => b[key] === a[key]);
}
