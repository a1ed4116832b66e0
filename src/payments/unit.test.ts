import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConfigError } from "../config.js";
import { createCurrencyRegistry } from "../ledger/currencies.js";
import { code128cSvg, code128cSymbols, code128cWidths, code128Patterns } from "./barcode.js";
import { defaultPaymentConfig, loadPaymentConfig } from "./config.js";
import { failureCodes, payoutFailureCode } from "./failure-codes.js";
import { generatePaymentCode, isPaymentCodeShape, paymentCodeLength } from "./payment-codes.js";
import { newQrToken, qrPayload, qrSvg, qrTokenOf } from "./qr.js";

describe("payment codes", () => {
  it("are 18 digits with our prefix 88, clear of WeChat Pay (10–15) and Alipay (25–30)", () => {
    for (let i = 0; i < 200; i++) {
      const code = generatePaymentCode();
      assert.equal(code.length, paymentCodeLength);
      assert.ok(isPaymentCodeShape(code));
      const prefix = Number(code.slice(0, 2));
      assert.ok(!(prefix >= 10 && prefix <= 15) && !(prefix >= 25 && prefix <= 30));
    }
    assert.equal(new Set(Array.from({ length: 1000 }, generatePaymentCode)).size, 1000);
    for (const bad of ["", "88", "8812345678901234567", "1012345678901234567", "88abcdefghijklmnop", 88]) {
      assert.equal(isPaymentCodeShape(bad), false, String(bad));
    }
  });
});

describe("Code 128 barcodes", () => {
  it("has the standard table: 106 symbols of 11 modules and a stop of 13", () => {
    assert.equal(code128Patterns.length, 107);
    code128Patterns.forEach((pattern, i) => {
      const modules = [...pattern].reduce((sum, d) => sum + Number(d), 0);
      assert.equal(modules, i === 106 ? 13 : 11, `symbol ${i}`);
    });
    assert.equal(new Set(code128Patterns).size, 107, "every pattern is distinct");
  });

  it("encodes digits in code set C and decodes back, check symbol included", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^(\d\d){1,12}$/), (digits) => {
        const widths = code128cWidths(digits);
        const symbols: number[] = [];
        for (let at = 0; at < widths.length; ) {
          const size = widths.length - at === 7 ? 7 : 6;
          symbols.push(code128Patterns.indexOf(widths.slice(at, at + size).join("")));
          at += size;
        }
        assert.deepEqual(symbols, code128cSymbols(digits));
        assert.equal(symbols[0], 105);
        assert.equal(symbols.at(-1), 106);
        const data = symbols.slice(1, -2);
        assert.equal(data.map((v) => String(v).padStart(2, "0")).join(""), digits);
        const check = data.reduce((sum, v, i) => sum + v * (i + 1), 105) % 103;
        assert.equal(symbols.at(-2), check);
      }),
    );
    assert.throws(() => code128cSymbols("123"), RangeError);
    assert.match(code128cSvg(generatePaymentCode()), /^<svg [^>]*role="img"/);
  });
});

describe("QR payloads", () => {
  it("carry a random token in a URL of this coffer, and the wallet reads the token back", () => {
    const token = newQrToken();
    assert.match(token, /^[0-9A-Za-z]{22}$/);
    const payload = qrPayload("https://pay.example.com", token);
    assert.equal(payload, `https://pay.example.com/q/${token}`);
    assert.equal(qrTokenOf(payload), token);
    assert.equal(qrTokenOf(`${payload}/`), token);
    assert.equal(qrTokenOf(`${payload}?utm=x`), token);
    assert.equal(qrTokenOf(token), token);
    for (const bad of ["", "https://pay.example.com/q/short", "https://evil.example/q/../../x", "weixin://wxpay/x"]) {
      assert.equal(qrTokenOf(bad), undefined, bad);
    }
    const svg = qrSvg(payload, 'a "label" <here>');
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/);
    assert.ok(!svg.includes("<here>"), "the label is escaped");
  });
});

describe("payments configuration", () => {
  const currencies = createCurrencyRegistry();
  it("has a password-free amount per currency by default, and reads COFFER_PAYMENT_CODE_CONFIRM_ABOVE", () => {
    assert.equal(defaultPaymentConfig(currencies).paymentCodeConfirmAbove.get("CNY"), 100_000n);
    assert.equal(defaultPaymentConfig(currencies).paymentCodeConfirmAbove.get("JPY"), 30_000n);
    const config = loadPaymentConfig({ COFFER_PAYMENT_CODE_CONFIRM_ABOVE: '{"CNY": "50000", "USD": 0}' }, currencies);
    assert.deepEqual(
      [...config.paymentCodeConfirmAbove],
      [
        ["CNY", 50_000n],
        ["USD", 0n],
      ],
    );
    for (const bad of ["nope", "[]", '{"XYZ": "1"}', '{"USD": "1.5"}', '{"USD": -1}']) {
      assert.throws(() => loadPaymentConfig({ COFFER_PAYMENT_CODE_CONFIRM_ABOVE: bad }, currencies), ConfigError, bad);
    }
  });
});

describe("failure codes", () => {
  it("name what they apply to and describe themselves; bank codes map into the catalog", () => {
    for (const [code, entry] of Object.entries(failureCodes)) {
      assert.match(code, /^[a-z_]+$/);
      assert.ok(entry.description.length > 10 && entry.applies.length > 0, code);
    }
    assert.equal(payoutFailureCode("account_frozen"), "account_frozen");
    assert.equal(payoutFailureCode("something_new"), "bank_declined");
  });
});
