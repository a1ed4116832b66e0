import { formatUnits } from "./crypto-amount";

/**
 * Money on screen. Amounts travel as strings of minor units ("1999"); they are formatted and parsed with BigInt
 * and exact decimal strings, never through a float, so 0.1 + 0.2 never shows up in anyone's balance.
 */
const exponents: Record<string, number> = {
  BHD: 3,
  CLP: 0,
  CNY: 2,
  ETH: 18,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  IQD: 3,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  OMR: 3,
  TND: 3,
  USD: 2,
  USDC: 6,
  USDT: 6,
  VND: 0,
};

export function currencyExponent(currency: string): number {
  return exponents[currency.toUpperCase()] ?? 2;
}

/** "1999", "USD" → "19.99" (exact). */
export function minorToDecimal(amountMinor: string | bigint, currency: string): string {
  const exponent = currencyExponent(currency);
  let value = BigInt(amountMinor);
  const negative = value < 0n;
  if (negative) value = -value;
  const digits = value.toString().padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = exponent > 0 ? `.${digits.slice(digits.length - exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}

const isoCurrency = /^[A-Z]{3}$/;

/** "1999", "USD", "en" → "$19.99"; crypto assets → "1.5 ETH". */
export function formatMoney(amountMinor: string | bigint, currency: string, locale: string): string {
  const decimal = minorToDecimal(amountMinor, currency);
  const exponent = currencyExponent(currency);
  const code = currency.toUpperCase();
  if (isoCurrency.test(code) && exponent <= 3) {
    try {
      const format = new Intl.NumberFormat(locale, {
        style: "currency",
        currency: code,
        minimumFractionDigits: exponent,
        maximumFractionDigits: exponent,
      });
      // Intl formats decimal strings exactly (no float on the way).
      return format.format(decimal as unknown as number);
    } catch {
      // An ISO-looking code Intl does not know: fall through to the plain form.
    }
  }
  // Crypto assets (18 decimals for ETH) drop trailing zeros: 0.05 ETH, not 0.050000000000000000 ETH.
  if (exponent > 3) return `${formatUnits(amountMinor, exponent, locale)} ${code}`;
  return `${decimal} ${code}`;
}

export type ParsedAmount =
  | { ok: true; minor: string }
  | { ok: false; reason: "empty" | "format" | "precision" | "zero" };

/** "19.99", "USD" → "1999". Refuses signs, exponents, more decimals than the currency has, and zero. */
export function parseMoney(input: string, currency: string): ParsedAmount {
  const text = input.trim().replace(/,/g, "");
  if (text === "") return { ok: false, reason: "empty" };
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return { ok: false, reason: "format" };
  const exponent = currencyExponent(currency);
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) return { ok: false, reason: "precision" };
  const minor = BigInt(`${match[1]}${fraction.padEnd(exponent, "0")}`);
  if (minor === 0n) return { ok: false, reason: "zero" };
  return { ok: true, minor: minor.toString() };
}

export function formatDateTime(value: string | number | Date, locale: string): string {
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}
