/**
 * Code 128 barcodes for payment codes, rendered as SVG. Payment codes are digits only, so the whole symbol uses
 * code set C (two digits per symbol): start C, the digit pairs, a modulo-103 check symbol, stop. Each symbol is
 * six bar/space widths summing to eleven modules (the stop: seven widths, thirteen modules).
 */
// biome-ignore format: the standard table, ten symbols a line
export const code128Patterns: readonly string[] = [
  "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
  "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
  "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
  "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
  "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
  "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
  "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
  "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
  "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
  "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
  "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
];

const startC = 105;
const stop = 106;

/** The symbol values of a Code 128 C barcode for an even number of digits, check symbol and stop included. */
export function code128cSymbols(digits: string): number[] {
  if (!/^(\d\d)+$/.test(digits)) throw new RangeError("code set C encodes an even number of digits");
  const symbols = [startC];
  let checksum = startC;
  for (let i = 0; i < digits.length; i += 2) {
    const value = Number(digits.slice(i, i + 2));
    symbols.push(value);
    checksum += value * (i / 2 + 1);
  }
  symbols.push(checksum % 103, stop);
  return symbols;
}

/** The bar and space widths, in modules, of a Code 128 C barcode (bar first). */
export function code128cWidths(digits: string): number[] {
  return code128cSymbols(digits).flatMap((symbol) => [...code128Patterns[symbol]!].map(Number));
}

/** A barcode as SVG: bars as one path, a ten-module quiet zone each side, the digits underneath for people. */
export function code128cSvg(digits: string, options: { moduleWidth?: number; height?: number } = {}): string {
  const module = options.moduleWidth ?? 2;
  const height = options.height ?? 80;
  const quiet = 10;
  const widths = code128cWidths(digits);
  const total = widths.reduce((a, b) => a + b, 0) + quiet * 2;
  let x = quiet;
  let path = "";
  widths.forEach((width, i) => {
    if (i % 2 === 0) path += `M${x * module} 0h${width * module}v${height}h-${width * module}z`;
    x += width;
  });
  const w = total * module;
  const textY = height + 18;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${height + 24}" role="img" aria-label="barcode ${digits}">` +
    `<path fill="#fff" d="M0 0h${w}v${height + 24}H0z"/><path fill="#000" d="${path}"/>` +
    `<text x="${w / 2}" y="${textY}" text-anchor="middle" font-family="monospace" font-size="16">${digits}</text></svg>`
  );
}
