/**
 * Reading QR codes from camera frames and photos. The decoder (jsQR) loads on first use, so the wallet's first
 * load stays small for the many who never scan.
 */
type Decoder = typeof import("jsqr").default;

let decoder: Promise<Decoder> | null = null;

function loadDecoder(): Promise<Decoder> {
  decoder ??= import("jsqr").then((module) => module.default);
  return decoder;
}

/** The text of the QR code in the image data, or null. */
export async function decodeQr(image: ImageData): Promise<string | null> {
  const jsQR = await loadDecoder();
  return jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" })?.data ?? null;
}

/** Camera frames and photos larger than this are scaled down first: QR codes stay readable and decoding fast. */
const decodeSizeMaxPx = 1024;

export function imageDataOf(source: CanvasImageSource, width: number, height: number): ImageData | null {
  const scale = Math.min(1, decodeSizeMaxPx / Math.max(width, height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext("2d", { willReadFrequently: true });
  if (!context) return null;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context.getImageData(0, 0, canvas.width, canvas.height);
}

/** A photo the user picked: decoded once. */
export async function decodeQrFile(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    const data = imageDataOf(bitmap, bitmap.width, bitmap.height);
    return data ? decodeQr(data) : null;
  } finally {
    bitmap.close();
  }
}
