import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { sampleJpeg, samplePdf, samplePng } from "../../test/helpers/merchant-console.js";
import { relyingPartyFor } from "../security/webauthn.js";
import { readCookie, serializeCookie } from "./cookies.js";
import { inspectDocument, sniffContentType } from "./documents.js";
import { normalizeEmail } from "./email-address.js";
import { createGoLiveChecklist, defaultGoLiveItems, type GoLiveItem } from "./go-live.js";
import { linkBaseUrl } from "./links.js";
import { consolePermissions } from "./permissions.js";
import { csrfTokenFor, randomBase62 } from "./tokens.js";

/** The small pure pieces of the merchant platform. */
describe("merchant platform pieces", () => {
  it("sniffs documents by their first bytes", () => {
    assert.equal(sniffContentType(samplePdf), "application/pdf");
    assert.equal(sniffContentType(samplePng), "image/png");
    assert.equal(sniffContentType(sampleJpeg), "image/jpeg");
    assert.equal(sniffContentType(Buffer.from("GIF89a")), undefined);
    const ok = inspectDocument({ contentType: "image/png", contentBase64: samplePng.toString("base64") });
    assert.ok(ok.ok && ok.value.content.equals(samplePng));
    const mismatch = inspectDocument({ contentType: "image/jpeg", contentBase64: samplePng.toString("base64") });
    assert.ok(!mismatch.ok && mismatch.code === "document_content_mismatch");
    assert.match(mismatch.ok ? "" : (mismatch.message ?? ""), /looks like image\/png/);
  });

  it("normalises email addresses and refuses what could inject headers", () => {
    assert.equal(normalizeEmail("  Mei.Lin@Example.COM "), "mei.lin@example.com");
    assert.equal(normalizeEmail("a@b.co\r\nBcc: x@y.z"), null);
    assert.equal(normalizeEmail("a@b"), null);
    assert.equal(normalizeEmail(`${"x".repeat(65)}@example.com`), null);
  });

  it("points mail links at COFFER_PUBLIC_URL, or at loopback hosts only", () => {
    assert.equal(linkBaseUrl("https://pay.example.com", "evil.example", 4000), "https://pay.example.com");
    assert.equal(linkBaseUrl(undefined, "localhost:4000", 4000), "http://localhost:4000");
    assert.equal(linkBaseUrl(undefined, "127.0.0.1:5000", 4000), "http://127.0.0.1:5000");
    assert.equal(linkBaseUrl(undefined, "evil.example", 4000), "http://localhost:4000");
    assert.equal(linkBaseUrl(undefined, "localhost@evil.example", 4000), "http://localhost:4000");
    assert.equal(relyingPartyFor(undefined, "evil.example"), null);
    assert.deepEqual(relyingPartyFor("https://pay.example.com", "x"), {
      id: "pay.example.com",
      name: "coffer",
      origin: "https://pay.example.com",
    });
  });

  it("writes and reads session cookies", () => {
    const token = randomBase62(43);
    const header = serializeCookie("coffer_console", token, { path: "/v1/console", maxAgeS: 60, secure: true });
    assert.equal(header, `coffer_console=${token}; Path=/v1/console; Max-Age=60; HttpOnly; SameSite=Lax; Secure`);
    assert.equal(readCookie(`a=b; coffer_console=${token}; c=d`, "coffer_console"), token);
    assert.equal(readCookie("coffer_console=bad value", "coffer_console"), undefined);
    assert.notEqual(csrfTokenFor(token), csrfTokenFor(`${token}x`));
  });

  it("gives the owner every console permission", () => {
    for (const roles of Object.values(consolePermissions)) assert.ok((roles as readonly string[]).includes("owner"));
  });

  it("computes the go-live checklist from its items, and takes more", async () => {
    const extra: GoLiveItem = { id: "sandbox_passed", title: "Sandbox scenarios pass.", check: async () => true };
    const checklist = createGoLiveChecklist([...defaultGoLiveItems, extra]);
    assert.deepEqual(
      checklist.items.map((i) => i.id),
      ["kyb_approved", "two_factor_enabled", "sandbox_passed"],
    );
    assert.throws(() => createGoLiveChecklist([extra, extra]), /listed twice/);
  });
});
