// Draws the wallet app's PNG icons (192, 512 and a maskable 512) into public/wallet: a coin on coffer's blue.
// Plain Node (zlib for the PNG's deflate), so no image tool is needed: `node web/scripts/wallet-icons.mjs`.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { deflateSync } from "node:zlib";

const outDir = path.join(import.meta.dirname, "..", "public", "wallet");
const brand = [0x1f, 0x4e, 0x79];
const coin = [0xf2, 0xb1, 0x34];
const white = [0xff, 0xff, 0xff];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size, pixel) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y += 1) {
    const row = y * (size * 4 + 1);
    rows[row] = 0; // no filter
    for (let x = 0; x < size; x += 1) {
      const [r, g, b, a] = pixel(x + 0.5, y + 0.5, size);
      rows.set([r, g, b, a], row + 1 + x * 4);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A rounded square (or, for maskable icons, the full square) with a coin: a ring, a slot and a rim. */
function icon({ maskable }) {
  return (x, y, size) => {
    const unit = x / size;
    const vnit = y / size;
    const corner = maskable ? 0 : 0.18;
    const dx = Math.max(corner - unit, 0, unit - (1 - corner));
    const dy = Math.max(corner - vnit, 0, vnit - (1 - corner));
    if (!maskable && Math.hypot(dx, dy) > corner) return [0, 0, 0, 0];
    const distance = Math.hypot(unit - 0.5, vnit - 0.5);
    const radius = maskable ? 0.27 : 0.33; // the maskable safe zone is the middle 80%
    if (distance < radius) {
      const inner = distance < radius * 0.72 && distance > radius * 0.6;
      const slot = Math.abs(unit - 0.5) < radius * 0.1 && Math.abs(vnit - 0.5) < radius * 0.42;
      return [...(inner || slot ? white : coin), 255];
    }
    return [...brand, 255];
  };
}

for (const [name, size, maskable] of [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["icon-512-maskable.png", 512, true],
]) {
  writeFileSync(path.join(outDir, name), png(size, icon({ maskable })));
}
