/**
 * Blockchain amounts on screen (ETH in wei, USDC in millionths …): formatted and parsed exactly with BigInt and
 * decimal strings, in the asset's own number of decimals as coffer's API gives it, never through a float. Trailing
 * zeros are dropped (0.05 ETH, not 0.050000000000000000 ETH), two decimals kept at least.
 */
const fractionDigitsMin = 2;

/** "50000000000000000", 18, "en" → "0.05"; the whole part grouped the locale's way. */
export function formatUnits(amountMinor: string | bigint, decimals: number, locale: string): string {
  let value = BigInt(amountMinor);
  const negative = value < 0n;
  if (negative) value = -value;
  const digits = value.toString().padStart(decimals + 1, "0");
  const whole = BigInt(digits.slice(0, digits.length - decimals));
  let fraction = decimals > 0 ? digits.slice(digits.length - decimals) : "";
  const keep = Math.min(fractionDigitsMin, decimals);
  while (fraction.length > keep && fraction.endsWith("0")) fraction = fraction.slice(0, -1);
  const grouped = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(whole);
  return `${negative ? "-" : ""}${grouped}${fraction ? `.${fraction}` : ""}`;
}

/** "50000000000000000", "ETH", 18 → "0.05 ETH". */
export function formatAsset(amountMinor: string | bigint, asset: string, decimals: number, locale: string): string {
  return `${formatUnits(amountMinor, decimals, locale)} ${asset}`;
}

export type ParsedUnits =
  | { ok: true; minor: string }
  | { ok: false; reason: "empty" | "format" | "precision" | "zero" };

/** "0.05", 18 → "50000000000000000". Refuses signs, exponents, more decimals than the asset has, and zero. */
export function parseUnits(input: string, decimals: number): ParsedUnits {
  const text = input.trim().replace(/,/g, "");
  if (text === "") return { ok: false, reason: "empty" };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, reason: "format" };
  const fraction = match[2] ?? "";
  if (fraction.length > decimals) return { ok: false, reason: "precision" };
  const minor = BigInt(`${match[1]}${fraction.padEnd(decimals, "0")}`);
  if (minor === 0n) return { ok: false, reason: "zero" };
  return { ok: true, minor: minor.toString() };
}

/** An EVM address's shape: 0x and 40 hexadecimal digits (its EIP-55 checksum is coffer's to check). */
export function looksLikeAddress(text: string): boolean {
  return /^0x[0-9a-fA-F]{40}$/.test(text.trim());
}

/** "0x1234…cdef": a hash or address short enough for a list; the whole one goes in its title and copy button. */
export function shortHex(hex: string, head = 6, tail = 4): string {
  return hex.length <= head + tail + 1 ? hex : `${hex.slice(0, head)}…${hex.slice(-tail)}`;
}
