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

/** Two requests on one keep-alive connection with a pause between them longer than the stall timeouts. */
function keepAliveTwice(port: number, pauseMs: number): Promise<string> {
  const body = JSON.stringify({ text: "again" });
  const request = `POST /test/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
  return new Promise((resolve, reject) => {
    let answers = "";
    const socket = net.connect(port, "127.0.0.1", () => {
      socket.write(request);
      setTimeout(() => socket.write(request), pauseMs);
    });
    socket.on("data", (chunk) => {
      answers += chunk;
      if ((answers.match(/HTTP\/1\.1 /g)?.length ?? 0) >= 2 && answers.endsWith("}")) socket.end();
    });
    socket.on("close", () => resolve(answers));
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

  it("answers a body or headers that stop half-way with 408 within seconds, and leaves idle keep-alive alone", async () => {
    // Three sockets at once, so the file waits for one timeout, not three.
    const stalledBody = rawExchange(
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
    const stalledHeaders = rawExchange(
      port,
      "POST /test/notes HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty",
      httpHeadersTimeoutMs + 5_000,
    );
    const idleKeepAlive = keepAliveTwice(port, Math.max(httpBodyIdleTimeoutMs, httpHeadersTimeoutMs) + 2_000);

    const body = await stalledBody;
    assert.match(body.answer, /^HTTP\/1\.1 408 /, `answered after ${body.elapsedMs} ms: ${body.answer}`);
    assert.match(body.answer, /"code":"request_timeout"/);
    assert.ok(body.elapsedMs >= httpBodyIdleTimeoutMs - 50, `not before the idle timeout (${body.elapsedMs} ms)`);
    assert.ok(body.elapsedMs < httpBodyIdleTimeoutMs + 3_000, `answered and closed after ${body.elapsedMs} ms`);

    const headers = await stalledHeaders;
    assert.match(headers.answer, /^HTTP\/1\.1 408 /, `answered after ${headers.elapsedMs} ms: ${headers.answer}`);
    assert.match(headers.answer, /"code":"request_timeout"/);
    assert.ok(headers.elapsedMs < httpHeadersTimeoutMs + 3_000, `answered and closed after ${headers.elapsedMs} ms`);

    const answers = await idleKeepAlive;
    assert.equal(answers.match(/HTTP\/1\.1 200 /g)?.length, 2, `both requests on one connection answered: ${answers}`);
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
