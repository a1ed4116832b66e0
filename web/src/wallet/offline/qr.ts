import { create } from "qrcode";

/**
 * An offline code as a QR code, drawn on the phone (the code is made here, with no network): one byte segment,
 * error correction L (a screen is clean, and L keeps a code of about 420 characters near version 14), four
 * modules of quiet zone, dark modules as one path of horizontal runs.
 */
export function offlineQrSvg(text: string): { svg: string; modules: number } {
  const { modules } = create([{ data: new TextEncoder().encode(text), mode: "byte" }], { errorCorrectionLevel: "L" });
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
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size} ${size}" shape-rendering="crispEdges">` +
    `<path fill="#fff" d="M0 0h${size}v${size}H0z"/><path fill="#000" d="${path}"/></svg>`;
  return { svg, modules: size };
}
