/**
 * Web NFC (Chrome on Android): the same string as the QR code, written as one NDEF text record when the phone
 * touches a tag or a reader. Elsewhere NDEFReader does not exist and the QR code is the only way; a native POS app
 * reads the record as docs/offline-codes.md says.
 */
interface NdefWriter {
  write(
    message: { records: { recordType: "text"; data: string; lang?: string }[] },
    options?: { signal?: AbortSignal },
  ): Promise<void>;
}
type NdefReaderConstructor = new () => NdefWriter;

function ndefReader(): NdefReaderConstructor | undefined {
  return (globalThis as { NDEFReader?: NdefReaderConstructor }).NDEFReader;
}

export function nfcAvailable(): boolean {
  return typeof ndefReader() === "function";
}

/** Waits for the tap and writes the code; rejects when the person refuses NFC, cancels, or the tap fails. */
export async function writeNfc(code: string, signal?: AbortSignal): Promise<void> {
  const Reader = ndefReader();
  if (!Reader) throw new Error("Web NFC is not available in this browser");
  await new Reader().write({ records: [{ recordType: "text", data: code, lang: "en" }] }, { signal });
}
