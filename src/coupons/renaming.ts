import { type Metadata, mergeMetadata, sameMetadata } from "../http/metadata.js";

/**
 * What an update of a coupon's or cashback rule's name and metadata changes (their terms never change): the new
 * values and the previous attributes for the `*.updated` event, or undefined when nothing changes.
 */
export function nameAndMetadataChange(
  current: { name: string; metadata: Metadata },
  input: { name?: string; metadata?: Metadata },
  checkName: (name: string) => string,
): { name: string; metadata: Metadata; previous: Record<string, unknown> } | undefined {
  const name = input.name === undefined ? current.name : checkName(input.name);
  const metadata = mergeMetadata(current.metadata, input.metadata);
  const previous: Record<string, unknown> = {};
  if (name !== current.name) previous.name = current.name;
  if (!sameMetadata(metadata, current.metadata)) previous.metadata = current.metadata;
  return Object.keys(previous).length === 0 ? undefined : { name, metadata, previous };
}
