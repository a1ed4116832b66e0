import QRCode from "qrcode";
import { qrSvgCacheEntriesMax } from "../limits.js";
import { randomBase62 } from "../merchants/tokens.js";

/**
 * Merchant-presented QR codes. A payment of method qr or checkout carries a random token (22 base62 characters,
 * about 131 bits); its QR code holds the URL `<coffer public URL>/q/<token>`. The wallet app sends that payload to
 * POST /v1/wallet/scan; a phone camera opens it as a page, which leads to the hosted checkout. The token says
 * nothing by itself: only coffer's database turns it into a payment, so a forged QR code pays nobody.
 */
export const qrTokenLength = 22;
const qrPathPattern = /\/q\/([0-9A-Za-z]{22})\/?(?:[?#].*)?$/;

export function newQrToken(): string {
  return randomBase62(qrTokenLength);
}

export function qrPayload(base: string, token: string): string {
  return `${base}/q/${token}`;
}

/** The token of a scanned payload: a URL ending in /q/<token>, or the bare token. */
export function qrTokenOf(payload: string): string | undefined {
  const text = payload.trim();
  if (/^[0-9A-Za-z]{22}$/.test(text)) return text;
  return qrPathPattern.exec(text)?.[1];
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A QR code as a small SVG: dark modules as one path of horizontal runs, a four-module quiet zone, crisp edges.
 * Synchronous and deterministic, so an API object can carry it without a render step.
 */
/**
 * A payment's QR code never changes, and drawing one costs more CPU than the rest of a read: the newest
 * qrSvgCacheEntriesMax drawings are kept (least recently used first out).
 */
const drawn = new Map<string, string>();

export function qrSvg(text: string, label = "QR code"): string {
  const key = `${label}\u0000${text}`;
  const hit = drawn.get(key);
  if (hit !== undefined) {
    drawn.delete(key);
    drawn.set(key, hit);
    return hit;
  }
  const svg = drawQrSvg(text, label);
  if (drawn.size >= qrSvgCacheEntriesMax) drawn.delete(drawn.keys().next().value as string);
  drawn.set(key, svg);
  return svg;
}

function drawQrSvg(text: string, label: string): string {
  // A link as one byte segment: the library's search for the shortest mix of segments costs more CPU than it
  // saves modules. Digits alone (a payment code) stay numeric, which is much denser.
  const { modules } = /^\d+$/.test(text)
    ? QRCode.create(text, { errorCorrectionLevel: "M" })
    : QRCode.create([{ data: Buffer.from(text, "utf8"), mode: "byte" }], { errorCorrectionLevel: "M" });
  const quiet = 4;
  const size = modules.size + quiet * 2;
  let path = "";
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col++;
      path += `M${start + quiet} ${row + quiet}h${col - start}v1h-${col - start}z`;
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges" ` +
    `role="img" aria-label="${escapeXml(label)}"><path fill="#fff" d="M0 0h${size}v${size}H0z"/>` +
    `<path fill="#000" d="${path}"/></svg>`
  );
}
