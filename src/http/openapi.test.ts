import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { validate } from "@readme/openapi-parser";
import { Type } from "@sinclair/typebox";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import type { App } from "../app.js";
import { amountSchema } from "./amount.js";

describe("OpenAPI and docs", () => {
  let db: TestDatabase;
  let app: App;
  before(async () => {
    db = await createTestDatabase({ poolSize: 1 });
    app = await createTestApp({
      pool: db.pool,
      routes: async (routes) => {
        routes.post(
          "/test/transfers",
          {
            config: { idempotent: true },
            schema: {
              tags: ["system"],
              body: Type.Object({ amount: amountSchema() }, { additionalProperties: false }),
              response: { 201: Type.Object({ id: Type.String() }) },
            },
          },
          async (_request, reply) => reply.code(201).send({ id: "tr_1" }),
        );
      },
    });
  });
  after(async () => {
    await app.close();
    await db.drop();
  });

  it("serves a valid OpenAPI 3.1 document", async () => {
    const response = await app.inject({ url: "/openapi.json" });
    assert.equal(response.statusCode, 200);
    const document = response.json();
    assert.equal(document.openapi, "3.1.0");
    const result = await validate(structuredClone(document));
    assert.equal(result.valid, true, JSON.stringify(result));
  });

  it("shares the error response as a component on every operation", async () => {
    const document = (await app.inject({ url: "/openapi.json" })).json();
    assert.ok(document.components.schemas.ErrorResponse);
    const readyz = document.paths["/readyz"].get;
    assert.equal(readyz.responses["503"].content["application/json"].schema.$ref, "#/components/schemas/ErrorResponse");
    const transfer = document.paths["/test/transfers"].post;
    assert.equal(
      transfer.responses.default.content["application/json"].schema.$ref,
      "#/components/schemas/ErrorResponse",
    );
    assert.ok(
      transfer.parameters.some((p: { in: string; name: string }) => p.in === "header" && p.name === "Idempotency-Key"),
    );
    assert.equal(document.paths["/metrics"], undefined, "operational endpoints stay out of the API document");
  });

  it("renders the API reference at /docs", async () => {
    const redirect = await app.inject({ url: "/docs" });
    assert.equal(redirect.statusCode, 301);
    assert.equal(redirect.headers.location, "/docs/");
    const page = await app.inject({ url: "/docs/" });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers["content-type"]), /^text\/html/);
    assert.match(page.body, /<title>coffer API reference<\/title>/);
    assert.match(page.body, /<script src="js\/scalar\.js"><\/script>/);
    const script = await app.inject({ url: "/docs/js/scalar.js" });
    assert.equal(script.statusCode, 200);
    assert.ok(script.body.length > 100_000, "the reference is served from coffer itself, no CDN");
  });
});
