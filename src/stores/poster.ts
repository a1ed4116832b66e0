import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { inflateSync } from "node:zlib";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import * as fontkit from "fontkit";
import { PDFDocument, rgb } from "pdf-lib";
import QRCode from "qrcode";
import { posterPngScale } from "../limits.js";
import { type PosterLanguage, posterTexts } from "./messages.js";

/**
 * A till's printable poster (the "pay with coffer here" sign): the merchant's name, the store and till, the till's
 * QR code and how to pay, in English or Chinese, as PNG and PDF. All text is drawn as glyph outlines from Noto Sans
 * SC (the fonts ship in @fontsource/noto-sans-sc), so neither the PDF nor the PNG renderer needs a font of its own
 * and Chinese prints the same on every machine. The page is A5, in PDF points (1/72 inch).
 */
const pageWidth = 420;
const pageHeight = 595;
const margin = 32;
const ink = "#111111";
const brand = "#0b6e4f";

export interface PosterInput {
  merchantName: string;
  storeName: string;
  tillName: string;
  payload: string;
  language: PosterLanguage;
}

type Font = fontkit.Font;
interface Fonts {
  latin: Font;
  chinese: Font;
}

const require = createRequire(import.meta.url);
let fontsLoaded: Promise<Record<"regular" | "bold", Fonts>> | undefined;
let wasmReady: Promise<void> | undefined;

async function loadFont(file: string): Promise<Font> {
  const bytes = await readFile(require.resolve(`@fontsource/noto-sans-sc/files/${file}`));
  return fontkit.create(sfntOfWoff(bytes)) as Font;
}

/**
 * The plain OpenType font inside a WOFF 1.0 file (each table zlib-compressed on its own). fontkit reads WOFF too,
 * but inflates its megabytes of Chinese outlines in JavaScript, seconds per font; node's zlib takes milliseconds.
 */
export function sfntOfWoff(woff: Buffer): Buffer {
  if (woff.readUInt32BE(0) !== 0x774f4646) throw new Error("not a WOFF 1.0 font");
  const count = woff.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const entry = 44 + i * 20;
    const offset = woff.readUInt32BE(entry + 4);
    const compressed = woff.readUInt32BE(entry + 8);
    const length = woff.readUInt32BE(entry + 12);
    const raw = woff.subarray(offset, offset + compressed);
    tables.push({
      tag: woff.readUInt32BE(entry),
      checksum: woff.readUInt32BE(entry + 16),
      data: compressed < length ? inflateSync(raw) : raw,
    });
  }
  const log2 = Math.floor(Math.log2(count));
  const header = Buffer.alloc(12 + count * 16);
  header.writeUInt32BE(woff.readUInt32BE(4), 0); // the flavor: TrueType or CFF outlines
  header.writeUInt16BE(count, 4);
  header.writeUInt16BE(2 ** log2 * 16, 6);
  header.writeUInt16BE(log2, 8);
  header.writeUInt16BE(count * 16 - 2 ** log2 * 16, 10);
  const parts: Buffer[] = [header];
  let offset = header.length;
  tables.forEach((table, i) => {
    const record = 12 + i * 16;
    header.writeUInt32BE(table.tag, record);
    header.writeUInt32BE(table.checksum, record + 4);
    header.writeUInt32BE(offset, record + 8);
    header.writeUInt32BE(table.data.length, record + 12);
    const padded = Buffer.alloc((table.data.length + 3) & ~3);
    table.data.copy(padded);
    parts.push(padded);
    offset += padded.length;
  });
  return Buffer.concat(parts);
}

function fonts() {
  fontsLoaded ??= (async () => {
    const [latin400, chinese400, latin700, chinese700] = await Promise.all([
      loadFont("noto-sans-sc-latin-400-normal.woff"),
      loadFont("noto-sans-sc-chinese-simplified-400-normal.woff"),
      loadFont("noto-sans-sc-latin-700-normal.woff"),
      loadFont("noto-sans-sc-chinese-simplified-700-normal.woff"),
    ]);
    return {
      regular: { latin: latin400, chinese: chinese400 },
      bold: { latin: latin700, chinese: chinese700 },
    };
  })();
  return fontsLoaded;
}

function resvgReady(): Promise<void> {
  wasmReady ??= readFile(require.resolve("@resvg/resvg-wasm/index_bg.wasm")).then((wasm) => initWasm(wasm));
  return wasmReady;
}

/** Splits text into runs that one font draws: the Latin file where it has the glyph, else the Chinese one. */
function runs(text: string, set: Fonts): { font: Font; text: string }[] {
  const out: { font: Font; text: string }[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    const font =
      set.latin.hasGlyphForCodePoint(code) || !set.chinese.hasGlyphForCodePoint(code) ? set.latin : set.chinese;
    const last = out.at(-1);
    if (last && last.font === font) last.text += char;
    else out.push({ font, text: char });
  }
  return out;
}

function textWidth(text: string, set: Fonts, size: number): number {
  let width = 0;
  for (const run of runs(text, set)) width += (run.font.layout(run.text).advanceWidth * size) / run.font.unitsPerEm;
  return width;
}

/**
 * One line of text centred at baseline y, as SVG path data: shrunk down to minSize to fit the page, then cut with
 * an ellipsis.
 */
function centredLine(text: string, set: Fonts, y: number, size: number, minSize: number): string {
  const room = pageWidth - margin * 2;
  let fitted = text.replace(/\s+/g, " ").trim();
  let fontSize = size;
  while (fontSize > minSize && textWidth(fitted, set, fontSize) > room) fontSize -= 1;
  if (textWidth(fitted, set, fontSize) > room) {
    const chars = [...fitted];
    while (chars.length > 1 && textWidth(`${chars.join("")}…`, set, fontSize) > room) chars.pop();
    fitted = `${chars.join("")}…`;
  }
  let x = (pageWidth - textWidth(fitted, set, fontSize)) / 2;
  let d = "";
  for (const run of runs(fitted, set)) {
    const scale = fontSize / run.font.unitsPerEm;
    const layout = run.font.layout(run.text);
    layout.glyphs.forEach((glyph, i) => {
      const position = layout.positions[i]!;
      const path = glyph.path
        .scale(scale, -scale)
        .translate(x + position.xOffset * scale, y - position.yOffset * scale);
      d += path.toSVG();
      x += position.xAdvance * scale;
    });
  }
  return d;
}

function qrPath(payload: string, left: number, top: number, size: number): string {
  const { modules } = QRCode.create([{ data: Buffer.from(payload, "utf8"), mode: "byte" }], {
    errorCorrectionLevel: "M",
  });
  const cell = size / modules.size;
  let d = "";
  for (let row = 0; row < modules.size; row++) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col++;
      const x = left + start * cell;
      const y = top + row * cell;
      d += `M${x.toFixed(3)} ${y.toFixed(3)}h${((col - start) * cell).toFixed(3)}v${cell.toFixed(3)}h${(-(col - start) * cell).toFixed(3)}z`;
    }
  }
  return d;
}

/** The poster's shapes, in page points with y downwards: each a path and its colour. */
async function layout(input: PosterInput): Promise<{ d: string; color: string }[]> {
  const set = await fonts();
  const texts = posterTexts[input.language];
  const qrSize = 250;
  const qrTop = 150;
  const qrLeft = (pageWidth - qrSize) / 2;
  const box = 14; // white margin inside the frame around the code (more than the QR quiet zone needs)
  const frame = `M${qrLeft - box - 3} ${qrTop - box - 3}h${qrSize + 2 * box + 6}v${qrSize + 2 * box + 6}h${-(qrSize + 2 * box + 6)}z`;
  const inner = `M${qrLeft - box} ${qrTop - box}h${qrSize + 2 * box}v${qrSize + 2 * box}h${-(qrSize + 2 * box)}z`;
  return [
    { d: `M0 0h${pageWidth}v${pageHeight}H0z`, color: "#ffffff" },
    { d: `M0 0h${pageWidth}v84H0z`, color: brand },
    { d: centredLine(texts.title, set.bold, 54, 26, 16), color: "#ffffff" },
    { d: centredLine(input.merchantName, set.bold, 118, 22, 12), color: ink },
    { d: frame, color: brand },
    { d: inner, color: "#ffffff" },
    { d: qrPath(input.payload, qrLeft, qrTop, qrSize), color: "#000000" },
    { d: centredLine(`${input.storeName} · ${input.tillName}`, set.bold, 452, 16, 10), color: ink },
    { d: centredLine(texts.steps[0]!, set.regular, 490, 13, 9), color: ink },
    { d: centredLine(texts.steps[1]!, set.regular, 512, 13, 9), color: ink },
    { d: centredLine(texts.footer, set.regular, 548, 11, 8), color: "#555555" },
    { d: centredLine(input.payload, set.regular, 575, 7, 5), color: "#777777" },
  ].filter((shape) => shape.d !== "");
}

export async function posterSvg(input: PosterInput, scale = 1): Promise<string> {
  const shapes = await layout(input);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${pageWidth * scale}" height="${pageHeight * scale}" ` +
    `viewBox="0 0 ${pageWidth} ${pageHeight}">` +
    shapes.map((s) => `<path fill="${s.color}" d="${s.d}"/>`).join("") +
    "</svg>"
  );
}

/** The poster as a PNG, posterPngScale pixels per point (A5 at about 216 dpi). */
export async function posterPng(input: PosterInput): Promise<Buffer> {
  const [svg] = await Promise.all([posterSvg(input, posterPngScale), resvgReady()]);
  const rendered = new Resvg(svg).render();
  try {
    return Buffer.from(rendered.asPng());
  } finally {
    rendered.free();
  }
}

/** The poster as a one-page A5 PDF, every shape a vector path. */
export async function posterPdf(input: PosterInput): Promise<Buffer> {
  const shapes = await layout(input);
  const doc = await PDFDocument.create();
  doc.setTitle(`${input.merchantName} — ${input.storeName} · ${input.tillName}`);
  doc.setProducer("coffer");
  doc.setCreator("coffer");
  const page = doc.addPage([pageWidth, pageHeight]);
  for (const shape of shapes) {
    const hex = Number.parseInt(shape.color.slice(1), 16);
    const color = rgb(((hex >> 16) & 255) / 255, ((hex >> 8) & 255) / 255, (hex & 255) / 255);
    page.drawSvgPath(shape.d, { x: 0, y: pageHeight, color, borderWidth: 0 });
  }
  return Buffer.from(await doc.save());
}
