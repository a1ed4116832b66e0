/**
 * What the shop sells. Prices are strings of minor units, exactly as coffer takes and returns amounts ("1250" is
 * 12.50 USD): never floats, so no cent is ever lost to rounding.
 */
export interface Product {
  id: string;
  name: string;
  description: string;
  price: string;
  currency: string;
}

export const products: readonly Product[] = [
  {
    id: "oolong",
    name: "Oolong, 100 g",
    description: "A roasted Taiwanese oolong with notes of honey and stone fruit.",
    price: "1250",
    currency: "USD",
  },
  {
    id: "teapot",
    name: "Clay teapot",
    description: "A 200 ml Yixing clay pot for two cups at a time.",
    price: "4800",
    currency: "USD",
  },
];

export function findProduct(id: string | null | undefined): Product | undefined {
  return products.find((product) => product.id === id);
}

/** "1250" USD → "12.50 USD". The shop sells in currencies with two decimals only. */
export function formatMoney(amount: string, currency: string): string {
  const minor = BigInt(amount);
  const sign = minor < 0n ? "-" : "";
  const absolute = minor < 0n ? -minor : minor;
  return `${sign}${absolute / 100n}.${String(absolute % 100n).padStart(2, "0")} ${currency}`;
}
