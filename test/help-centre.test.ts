import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { defaultHelpDir, helpLocales, readHelpArticles } from "../web/help-articles.js";
import { searchArticles } from "../web/src/shared/help/search.js";
import { helpSlugs } from "../web/src/shared/help/slugs.js";

/**
 * The help centre's articles (help/<locale>/*.md) as the build renders them, and the search over them: every article
 * exists in English and Chinese with the same place, the "?" buttons' slugs are articles, links between articles
 * resolve, nothing but Markdown is let through, and the search finds what people type in either language.
 */
const articles = readHelpArticles();

describe("help centre articles", () => {
  it("has every article in English and Chinese, in the same order and for the same audience", () => {
    const english = articles.en.map((article) => article.slug);
    assert.ok(english.length >= 11, `only ${english.length} articles`);
    for (const locale of helpLocales) {
      assert.deepEqual(
        articles[locale].map((article) => article.slug),
        english,
      );
      for (const article of articles[locale]) {
        assert.ok(article.title.length > 0 && article.summary.length > 0, `${locale}/${article.slug}`);
        // Chinese says as much in about a third of the characters.
        const least = locale === "en" ? 600 : 200;
        assert.ok(article.text.length > least, `${locale}/${article.slug} is too short to help anyone`);
        assert.doesNotMatch(article.text, /\*\*|__|\]\(/, `${locale}/${article.slug}: Markdown left unrendered`);
      }
    }
    const zh = articles["zh-CN"].map((article) => article.text).join("");
    assert.match(zh, /\p{Script=Han}/u, "the Chinese articles are in Chinese");
  });

  it("covers what the issue asks for, for payers and for merchants", () => {
    const payer = articles.en.filter((article) => article.audience === "payer").map((article) => article.slug);
    const merchant = articles.en.filter((article) => article.audience === "merchant").map((article) => article.slug);
    for (const slug of ["pay-by-scanning", "payment-code", "limits-and-tiers", "prepaid-cards", "recognising-scams"]) {
      assert.ok(payer.includes(slug), slug);
    }
    for (const slug of ["payment-links", "counter-qr", "refunds", "payouts", "business-verification"]) {
      assert.ok(merchant.includes(slug), slug);
    }
  });

  it("knows every slug the web app's help buttons can name, and no other", () => {
    assert.deepEqual(
      [...helpSlugs].sort(),
      readdirSync(path.join(defaultHelpDir, "en"))
        .map((name) => name.slice(0, -3))
        .sort(),
    );
  });

  it("turns links between articles into in-app links and checks that they resolve", () => {
    const scanning = articles.en.find((article) => article.slug === "pay-by-scanning")!;
    assert.match(scanning.html, /<a href="payment-code" data-help="payment-code">/);
    assert.match(scanning.html, /<h2>How to pay<\/h2>/);
    for (const locale of helpLocales) {
      for (const article of articles[locale]) {
        for (const [, target] of article.html.matchAll(/data-help="([^"]+)"/g)) {
          assert.ok(helpSlugs.includes(target as never), `${locale}/${article.slug} links to ${target}`);
        }
      }
    }
  });

  it("refuses raw HTML, a missing translation, a broken link and missing front matter", () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), "coffer-help-"));
    const write = (locale: string, name: string, text: string) => {
      mkdirSync(path.join(scratch, locale), { recursive: true });
      writeFileSync(path.join(scratch, locale, name), text);
    };
    const article = (body: string) => `---\ntitle: T\nsummary: S\naudience: payer\norder: 1\n---\n\n${body}\n`;
    try {
      write("en", "a.md", article("Hello"));
      write("zh-CN", "a.md", article("你好"));
      assert.equal(readHelpArticles(scratch).en[0]?.html.trim(), "<p>Hello</p>");

      write("en", "a.md", article('Hello <script>alert("x")</script>'));
      assert.throws(() => readHelpArticles(scratch), /raw HTML is not allowed/);
      write("en", "a.md", article("See [b](b.md)."));
      assert.throws(() => readHelpArticles(scratch), /links to b\.md, which is no article/);
      write("en", "a.md", article("See [x](http://example.test/)."));
      assert.throws(() => readHelpArticles(scratch), /https/);
      write("en", "a.md", "No front matter");
      assert.throws(() => readHelpArticles(scratch), /front matter/);
      write("en", "a.md", article("# A second title"));
      assert.throws(() => readHelpArticles(scratch), /start sections at ##/);
      write("en", "a.md", article("Hello"));
      write("en", "b.md", article("Only in English"));
      assert.throws(() => readHelpArticles(scratch), /missing: b\.md/);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

describe("help centre search", () => {
  const slugsFor = (locale: "en" | "zh-CN", query: string) =>
    searchArticles(articles[locale], query).map((article) => article.slug);

  it("finds articles by words of their title and text, the title first", () => {
    assert.equal(slugsFor("en", "payment code")[0], "payment-code");
    assert.equal(slugsFor("en", "REFUND")[0], "refunds");
    assert.equal(slugsFor("en", "limits")[0], "limits-and-tiers");
    assert.ok(slugsFor("en", "phishing").includes("recognising-scams"));
    assert.ok(slugsFor("en", "poster").includes("counter-qr"));
    assert.ok(slugsFor("en", "registration number").includes("business-verification"));
  });

  it("needs every word to match, and finds nothing for nonsense or an empty query", () => {
    assert.deepEqual(slugsFor("en", "refund zebra"), []);
    assert.deepEqual(slugsFor("en", "xylophone"), []);
    assert.deepEqual(slugsFor("en", "   "), []);
  });

  it("finds Chinese articles by words written without spaces", () => {
    assert.equal(slugsFor("zh-CN", "付款码")[0], "payment-code");
    assert.equal(slugsFor("zh-CN", "退款")[0], "refunds");
    assert.ok(slugsFor("zh-CN", "诈骗").includes("recognising-scams"));
    assert.ok(slugsFor("zh-CN", "营业执照").includes("business-verification"));
    // Not a phrase of any article, but both of its words are in the payment code's.
    assert.ok(slugsFor("zh-CN", "付款码泄露").includes("payment-code"));
    assert.deepEqual(slugsFor("zh-CN", "恐龙"), []);
  });

  it("ignores case and full-width forms", () => {
    assert.deepEqual(slugsFor("en", "ＱＲ poster"), slugsFor("en", "qr POSTER"));
  });
});
