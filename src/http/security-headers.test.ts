import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { createTestServices } from "../../test/helpers/services.js";
import type { App } from "../app.js";
import type { Services } from "../runtime/services.js";

describe("security headers", () => {
  let db: TestDatabase;
  let plain: App;
  let https: App;
  let httpsServices: Services;

  before(async () => {
    db = await createTestDatabase();
    plain = await createTestApp({ pool: db.pool, webDistDir: null });
    httpsServices = createTestServices({ pool: db.pool, config: { publicUrl: "https://pay.example.com" } });
    https = await createTestApp({ pool: db.pool, services: httpsServices, webDistDir: null });
  });
  after(async () => {
    await plain.close();
    await https.close();
    await httpsServices.close();
    await db.drop();
  });

  const urls = ["/healthz", "/openapi.json", "/docs", "/docs/", "/docs/js/scalar.js", "/v1/events", "/nowhere"];

  it("every response carries nosniff and a referrer policy", async () => {
    for (const url of urls) {
      const response = await plain.inject({ url });
      assert.equal(response.headers["x-content-type-options"], "nosniff", url);
      assert.equal(response.headers["referrer-policy"], "no-referrer", url);
    }
  });

  it("so do answers Fastify or Node give before any hook runs", async () => {
    const badUrl = await https.inject({ url: "/v1/payments/%E0%A4%A" });
    assert.equal(badUrl.statusCode, 400);
    assert.equal(badUrl.headers["x-content-type-options"], "nosniff");
    await plain.listen({ port: 0, host: "127.0.0.1" });
    const address = plain.server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let data = "";
      socket.on("data", (chunk) => {
        data += chunk;
      });
      socket.on("end", () => resolve(data));
      socket.on("error", reject);
    });
    assert.match(raw, /^HTTP\/1\.1 400/);
    assert.match(raw, /\r\nX-Content-Type-Options: nosniff\r\n/);
  });

  it("JSON answers forbid loading and framing anything", async () => {
    for (const url of ["/healthz", "/v1/events", "/nowhere", "/openapi.json"]) {
      const response = await plain.inject({ url });
      assert.match(String(response.headers["content-type"]), /^application\/json/, url);
      assert.equal(
        response.headers["content-security-policy"],
        "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
        url,
      );
    }
  });

  it("the API reference page runs only its own bundle and its inline start script, by hash", async () => {
    const page = await plain.inject({ url: "/docs/" });
    assert.equal(page.statusCode, 200);
    const policy = String(page.headers["content-security-policy"]);
    const directives = new Map(
      policy.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values] as const;
      }),
    );
    assert.deepEqual(directives.get("default-src"), ["'none'"]);
    assert.deepEqual(directives.get("connect-src"), ["'self'"]);
    assert.deepEqual(directives.get("frame-ancestors"), ["'none'"]);
    assert.deepEqual(directives.get("font-src"), ["'self'", "data:"]);
    const scripts = directives.get("script-src") ?? [];
    assert.ok(!scripts.includes("'unsafe-inline'") && !scripts.includes("'unsafe-eval'"), policy);
    const inline = [...page.body.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    assert.equal(inline.length, 1, "Scalar's page starts itself with one inline script");
    const hash = `'sha256-${createHash("sha256").update(inline[0]!).digest("base64")}'`;
    assert.deepEqual(scripts, ["'self'", hash]);
    assert.doesNotMatch(page.body, /fonts\.scalar\.com/, "no web fonts from elsewhere");
  });

  it("HSTS on every response when the public URL is https, never otherwise", async () => {
    for (const url of urls) {
      const secure = await https.inject({ url });
      assert.equal(secure.headers["strict-transport-security"], "max-age=31536000; includeSubDomains", url);
      assert.equal((await plain.inject({ url })).headers["strict-transport-security"], undefined, url);
    }
  });
});
