/**
 * The currency registry: every amount is an integer of a currency's minor unit, and the exponent says how many
 * decimal places that unit is (USD 2: 1999 = 19.99; JPY 0; KWD 3; ETH 18: 1 = one wei).
 */
export interface Currency {
  code: string;
  exponent: number;
  kind: "fiat" | "crypto";
}

const currencyCodePattern = /^[A-Z][A-Z0-9]{2,9}$/;
export const currencyExponentMax = 18;

/** ISO 4217 currencies in circulation, by exponent (all others are 2). */
const iso4217Exponent0 = [
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "UYI",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
];
const iso4217Exponent3 = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
const iso4217Exponent4 = ["CLF", "UYW"];
const iso4217Exponent2 = [
  "AED",
  "AFN",
  "ALL",
  "AMD",
  "AOA",
  "ARS",
  "AUD",
  "AWG",
  "AZN",
  "BAM",
  "BBD",
  "BDT",
  "BGN",
  "BMD",
  "BND",
  "BOB",
  "BRL",
  "BSD",
  "BTN",
  "BWP",
  "BYN",
  "BZD",
  "CAD",
  "CDF",
  "CHF",
  "CNY",
  "COP",
  "CRC",
  "CUP",
  "CVE",
  "CZK",
  "DKK",
  "DOP",
  "DZD",
  "EGP",
  "ERN",
  "ETB",
  "EUR",
  "FJD",
  "FKP",
  "GBP",
  "GEL",
  "GHS",
  "GIP",
  "GMD",
  "GTQ",
  "GYD",
  "HKD",
  "HNL",
  "HTG",
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "IRR",
  "JMD",
  "KES",
  "KGS",
  "KHR",
  "KPW",
  "KYD",
  "KZT",
  "LAK",
  "LBP",
  "LKR",
  "LRD",
  "LSL",
  "MAD",
  "MDL",
  "MGA",
  "MKD",
  "MMK",
  "MNT",
  "MOP",
  "MRU",
  "MUR",
  "MVR",
  "MWK",
  "MXN",
  "MYR",
  "MZN",
  "NAD",
  "NGN",
  "NIO",
  "NOK",
  "NPR",
  "NZD",
  "PAB",
  "PEN",
  "PGK",
  "PHP",
  "PKR",
  "PLN",
  "QAR",
  "RON",
  "RSD",
  "RUB",
  "SAR",
  "SBD",
  "SCR",
  "SDG",
  "SEK",
  "SGD",
  "SHP",
  "SLE",
  "SOS",
  "SRD",
  "SSP",
  "STN",
  "SVC",
  "SYP",
  "SZL",
  "THB",
  "TJS",
  "TMT",
  "TOP",
  "TRY",
  "TTD",
  "TWD",
  "TZS",
  "UAH",
  "USD",
  "UYU",
  "UZS",
  "VES",
  "WST",
  "XCD",
  "YER",
  "ZAR",
  "ZMW",
  "ZWG",
];

/** Crypto assets coffer ships with; a deployment adds its own with COFFER_CRYPTO_ASSETS ("CODE:exponent,…"). */
export const defaultCryptoAssets: readonly Currency[] = [
  { code: "ETH", exponent: 18, kind: "crypto" },
  { code: "USDT", exponent: 6, kind: "crypto" },
  { code: "USDC", exponent: 6, kind: "crypto" },
];

export interface CurrencyRegistry {
  get(code: string): Currency | undefined;
  has(code: string): boolean;
  all(): Currency[];
}

export function createCurrencyRegistry(crypto: readonly Currency[] = defaultCryptoAssets): CurrencyRegistry {
  const byCode = new Map<string, Currency>();
  const add = (currency: Currency) => {
    if (!currencyCodePattern.test(currency.code)) throw new Error(`currency code ${currency.code} is not valid`);
    if (!Number.isInteger(currency.exponent) || currency.exponent < 0 || currency.exponent > currencyExponentMax) {
      throw new Error(
        `currency ${currency.code} has exponent ${currency.exponent}, expected 0..${currencyExponentMax}`,
      );
    }
    if (byCode.has(currency.code)) throw new Error(`currency ${currency.code} is registered twice`);
    byCode.set(currency.code, currency);
  };
  for (const code of iso4217Exponent0) add({ code, exponent: 0, kind: "fiat" });
  for (const code of iso4217Exponent2) add({ code, exponent: 2, kind: "fiat" });
  for (const code of iso4217Exponent3) add({ code, exponent: 3, kind: "fiat" });
  for (const code of iso4217Exponent4) add({ code, exponent: 4, kind: "fiat" });
  for (const asset of crypto) add(asset);
  return {
    get: (code) => byCode.get(code),
    has: (code) => byCode.has(code),
    all: () => [...byCode.values()],
  };
}

/** Parses COFFER_CRYPTO_ASSETS, e.g. "ETH:18,USDT:6,DAI:18". */
export function parseCryptoAssets(raw: string): Currency[] {
  return raw
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const match = /^([A-Z][A-Z0-9]{2,9}):(\d{1,2})$/.exec(part);
      if (!match) throw new Error(`crypto asset "${part}" must look like CODE:exponent, e.g. USDT:6`);
      return { code: match[1]!, exponent: Number(match[2]), kind: "crypto" as const };
    });
}

/** Formats minor units for people (receipts, mails): 1999n USD → "19.99". Never used for arithmetic. */
export function formatMinorUnits(amount: bigint, currency: Currency): string {
  const negative = amount < 0n;
  const digits = (negative ? -amount : amount).toString().padStart(currency.exponent + 1, "0");
  const whole = digits.slice(0, digits.length - currency.exponent);
  const fraction = currency.exponent > 0 ? `.${digits.slice(digits.length - currency.exponent)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}
