/**
 * Pricing a crypto payment in fiat, with integer arithmetic only. A rate is the fiat price of one whole asset as a
 * decimal string ("3000", "7.2"); with the fiat amount F in its minor unit (exponent e), the asset's decimals d and
 * the rate as R / 10^k (k digits after the point):
 *
 *   amount = ceil(F × 10^d × 10^k / (10^e × R))   in the asset's minor unit
 *
 * Rounded up to the asset's minor unit, so the crypto sent is never worth less than the price asked (the payer pays
 * at most one minor unit of the asset more: 10^-6 USDC, 1 wei).
 */
export const rateDigitsMax = 36;

export function parseRate(rate: string): { units: bigint; scale: bigint } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(rate);
  if (!match || rate.length > rateDigitsMax) throw new RangeError(`not a decimal rate: ${rate}`);
  const fraction = match[2] ?? "";
  const units = BigInt(match[1]! + fraction);
  if (units === 0n) throw new RangeError("a rate must be above zero");
  return { units, scale: 10n ** BigInt(fraction.length) };
}

export function cryptoAmountFor(fiatMinor: bigint, fiatExponent: number, assetDecimals: number, rate: string): bigint {
  if (fiatMinor <= 0n) throw new RangeError("a price must be above zero");
  const { units, scale } = parseRate(rate);
  const numerator = fiatMinor * 10n ** BigInt(assetDecimals) * scale;
  const denominator = 10n ** BigInt(fiatExponent) * units;
  return (numerator + denominator - 1n) / denominator;
}
