import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";
import { httpBodyIdleTimeoutMs, httpHeadersTimeoutMs } from "../limits.js";

/**
 * How request bodies are read: JSON is UTF-8 (a body declared in another charset is refused with 415, not misread),
 * and a client that stops sending in the middle of its headers or its body is answered 408 within seconds,
 * measured on a real socket.
 */
const testRoutes: FastifyPluginAsync = async (app) => {
  app.post(
    "/test/notes",
    { schema: { body: Type.Object({ text: Type.String() }, { additionalProperties: false }) } },
    async (request) => ({ text: (request.body as { text: string }).text }),
  );
};

/** Writes raw bytes to the server and collects what it answers until it closes the connection (or maxMs). */
function rawExchange(port: number, bytes: string, maxMs: number): Promise<{ answer: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = "";
    const socket = net.connect(port, "127.0.0.1", () => socket.write(bytes));
    const giveUp = setTimeout(() => {
      socket.destroy();
      resolve({ answer, elapsedMs: Date.now() - started });
    }, maxMs);
    socket.on("data", (chunk) => {
      answer += chunk;
    });
    socket.on("close", () => {
      clearTimeout(giveUp);
      resolve({ answer, elapsedMs: Date.now() - started });
    });
    socket.on("error", reject);
  });
}

describe("request body reading", () => {
  let db: TestDatabase;
  let app: App;
  let port: number;

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    app = await createTestApp({ pool: db.pool, routes: testRoutes });
    await app.listen({ port: 0, host: "127.0.0.1" });
    const address = app.server.address();
    port = typeof address === "object" && address ? address.port : 0;
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  const post = (contentType: string, payload: string | Buffer) =>
    app.inject({ method: "POST", url: "/test/notes", headers: { "content-type": contentType }, payload });

  it("refuses JSON declared in any charset but UTF-8 with 415 charset_unsupported", async () => {
    const utf16 = Buffer.from(JSON.stringify({ text: "tea" }), "utf16le");
    for (const contentType of [
      "application/json; charset=utf-16",
      "application/json; charset=UTF-16LE",
      'application/json; charset="iso-8859-1"',
      "application/json;charset=utf-7",
      "application/json; charset=",
    ]) {
      const response = await post(contentType, utf16);
      assert.equal(response.statusCode, 415, `${contentType}: ${response.body}`);
      const { error } = response.json();
      assert.equal(error.code, "charset_unsupported", contentType);
      assert.equal(error.type, "invalid_request_error");
      assert.equal(error.param, null);
    }
  });

  it("reads UTF-8, declared in any case or not at all", async () => {
    const body = JSON.stringify({ text: "茶 🍵" });
    for (const contentType of [
      "application/json",
      "application/json; charset=utf-8",
      "application/json; charset=UTF-8",
      'application/json; charset="utf-8"',
      "Application/JSON;Charset=Utf-8",
    ]) {
      const response = await post(contentType, body);
      assert.equal(response.statusCode, 200, `${contentType}: ${response.body}`);
      assert.equal(response.json().text, "茶 🍵");
    }
  });

  it("answers a body that stops half-way with 408 request_timeout within seconds, and closes", async () => {
    const { answer, elapsedMs } = await rawExchange(
      port,
      [
        "POST /test/notes HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        "Content-Length: 100",
        "",
        '{"text": "',
      ].join("\r\n"),
      httpBodyIdleTimeoutMs + 5_000,
    );
    assert.match(answer, /^HTTP\/1\.1 408 /, `answered after ${elapsedMs} ms: ${answer}`);
    assert.match(answer, /"code":"request_timeout"/);
    assert.ok(elapsedMs >= httpBodyIdleTimeoutMs - 50, `not before the idle timeout (${elapsedMs} ms)`);
    assert.ok(elapsedMs < httpBodyIdleTimeoutMs + 3_000, `answered and closed after ${elapsedMs} ms`);
  });

  it("answers headers that stop half-way with 408 request_timeout within seconds", async () => {
    const { answer, elapsedMs } = await rawExchange(
      port,
      "POST /test/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty",
      httpHeadersTimeoutMs + 5_000,
    );
    assert.match(answer, /^HTTP\/1\.1 408 /, `answered after ${elapsedMs} ms: ${answer}`);
    assert.match(answer, /"code":"request_timeout"/);
    assert.ok(elapsedMs < httpHeadersTimeoutMs + 3_000, `answered and closed after ${elapsedMs} ms`);
  });

  it("keeps reading a body that arrives slowly but steadily", async () => {
    const body = JSON.stringify({ text: "slow but steady" });
    const head = `POST /test/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const answer = await new Promise<string>((resolve, reject) => {
      let received = "";
      const socket = net.connect(port, "127.0.0.1", async () => {
        socket.write(head);
        for (const char of body) {
          await new Promise((r) => setTimeout(r, 25));
          socket.write(char);
        }
      });
      socket.on("data", (chunk) => {
        received += chunk;
      });
      socket.on("close", () => resolve(received));
      socket.on("error", reject);
    });
    assert.match(answer, /^HTTP\/1\.1 200 /);
    assert.match(answer, /slow but steady/);
  });
});
