import { documentBytesMax } from "../limits.js";
import { type DocumentContentType, documentContentTypes, fail, ok, type Result } from "./model.js";

/**
 * Checks an uploaded KYB document before anything is stored: a declared type we accept, standard base64, at most
 * documentBytesMax bytes once decoded, and content that really is of the declared type (its magic bytes), so a
 * renamed executable or HTML page is refused even when it claims to be a PNG.
 */
export type DocumentProblem =
  | "document_type_unsupported"
  | "document_content_invalid"
  | "document_too_large"
  | "document_content_mismatch";

const signatures: Readonly<Record<DocumentContentType, readonly number[]>> = {
  "application/pdf": [0x25, 0x50, 0x44, 0x46, 0x2d], // "%PDF-"
  "image/png": [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  "image/jpeg": [0xff, 0xd8, 0xff],
};

// A plain character class: a grouped repetition here would backtrack through megabytes of input.
const base64Characters = /^[A-Za-z0-9+/]*={0,2}$/;

export function isDocumentContentType(value: string): value is DocumentContentType {
  return (documentContentTypes as readonly string[]).includes(value);
}

/** The content type a file's first bytes say it is, if it is one we accept. */
export function sniffContentType(content: Buffer): DocumentContentType | undefined {
  for (const type of documentContentTypes) {
    const signature = signatures[type];
    if (content.length >= signature.length && signature.every((byte, i) => content[i] === byte)) return type;
  }
  return undefined;
}

export function inspectDocument(input: {
  contentType: string;
  contentBase64: string;
}): Result<{ content: Buffer; contentType: DocumentContentType }, DocumentProblem> {
  if (!isDocumentContentType(input.contentType)) return fail("document_type_unsupported", undefined, "content_type");
  const text = input.contentBase64;
  // Refuse by length before decoding: base64 is 4 characters per 3 bytes.
  if (Math.floor(text.length / 4) * 3 > documentBytesMax + 2)
    return fail("document_too_large", undefined, "content_base64");
  if (text.length === 0 || text.length % 4 !== 0 || !base64Characters.test(text)) {
    return fail("document_content_invalid", undefined, "content_base64");
  }
  const content = Buffer.from(text, "base64");
  if (content.length === 0) return fail("document_content_invalid", undefined, "content_base64");
  if (content.length > documentBytesMax) return fail("document_too_large", undefined, "content_base64");
  if (sniffContentType(content) !== input.contentType) {
    return fail(
      "document_content_mismatch",
      `The file is not ${input.contentType}${sniffContentType(content) ? ` (it looks like ${sniffContentType(content)})` : ""}.`,
      "content_base64",
    );
  }
  return ok({ content, contentType: input.contentType });
}
