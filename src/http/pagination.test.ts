import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { listLimitDefault, listLimitMax } from "../limits.js";
import { ApiError } from "./errors.js";
import { type KeysetList, keysetPage, ListQuery, listOf, type PageRequest, pageRequest } from "./pagination.js";

describe("pagination", () => {
  let db: TestDatabase;
  // 25 objects; several share a created_at so the id must break ties.
  const ids = Array.from({ length: 25 }, (_, i) => `obj_${String(i + 1).padStart(2, "0")}`);
  const options: KeysetList = {
    from: "things",
    scope: "tenant = $1",
    params: ["acme"],
    idColumn: "id",
    sortColumns: ["created_at", "id"],
    order: "desc",
  };

  before(async () => {
    db = await createTestDatabase({ poolSize: 2 });
    await db.pool.query(
      "CREATE TABLE things (id text PRIMARY KEY, tenant text NOT NULL, created_at timestamptz NOT NULL)",
    );
    await db.pool.query(
      `INSERT INTO things (id, tenant, created_at)
       SELECT 'obj_' || lpad(i::text, 2, '0'), 'acme', timestamptz '2026-01-01' + (i / 3) * interval '1 minute'
         FROM generate_series(1, 25) AS i`,
    );
    await db.pool.query("INSERT INTO things VALUES ('obj_other', 'globex', timestamptz '2026-01-01 00:03:30')");
  });
  after(async () => {
    await db.drop();
  });

  async function list(page: PageRequest, order: "asc" | "desc" = "desc", filter?: string) {
    const result = await keysetPage<{ id: string }>(db.pool, page, { ...options, order, filter });
    return { ...result, data: result.data.map((r) => r.id) };
  }

  it("reads the query with defaults and limits", () => {
    assert.deepEqual(pageRequest({}), { limit: listLimitDefault, cursor: undefined });
    assert.deepEqual(pageRequest({ limit: 5, starting_after: "obj_1" }), {
      limit: 5,
      cursor: { direction: "after", id: "obj_1" },
    });
    assert.throws(() => pageRequest({ starting_after: "a", ending_before: "b" }), ApiError);
    assert.throws(() => pageRequest({ limit: listLimitMax + 1 }), /limit/);
  });

  it("pages forward newest first, then back again", async () => {
    const newestFirst = [...ids].reverse();
    const first = await list(pageRequest({ limit: 10 }));
    assert.deepEqual(first, { object: "list", data: newestFirst.slice(0, 10), has_more: true });
    const second = await list(pageRequest({ limit: 10, starting_after: first.data.at(-1) }));
    assert.deepEqual(second, { object: "list", data: newestFirst.slice(10, 20), has_more: true });
    const third = await list(pageRequest({ limit: 10, starting_after: second.data.at(-1) }));
    assert.deepEqual(third, { object: "list", data: newestFirst.slice(20), has_more: false });

    const back = await list(pageRequest({ limit: 10, ending_before: third.data[0] }));
    assert.deepEqual(back, { object: "list", data: newestFirst.slice(10, 20), has_more: true });
    const start = await list(pageRequest({ limit: 10, ending_before: back.data[0] }));
    assert.deepEqual(start, { object: "list", data: newestFirst.slice(0, 10), has_more: false });
  });

  it("pages oldest first when asked", async () => {
    const first = await list(pageRequest({ limit: 4 }), "asc");
    assert.deepEqual(first.data, ids.slice(0, 4));
    const next = await list(pageRequest({ limit: 4, starting_after: "obj_04" }), "asc");
    assert.deepEqual(next.data, ids.slice(4, 8));
  });

  it("refuses a cursor the caller may not list exactly as one that names no object", async () => {
    const refusal = async (query: { starting_after?: string; ending_before?: string }) => {
      const error = await list(pageRequest(query)).then(
        () => assert.fail("a page was answered"),
        (e: unknown) => e,
      );
      assert.ok(error instanceof ApiError);
      return { status: error.status, code: error.code, message: error.message, param: error.param };
    };
    const unknown = await refusal({ starting_after: "obj_nope" });
    assert.deepEqual(unknown, {
      status: 400,
      code: "parameter_invalid",
      message: "starting_after must be the id of an object in this list.",
      param: "starting_after",
    });
    assert.deepEqual(await refusal({ starting_after: "obj_other" }), unknown, "another tenant's object");
    const before = await refusal({ ending_before: "obj_other" });
    assert.equal(before.param, "ending_before");
    assert.deepEqual(before, await refusal({ ending_before: "obj_nope" }));
  });

  it("answers an empty page after the last object, and takes a cursor its filter leaves out", async () => {
    assert.deepEqual(await list(pageRequest({ starting_after: "obj_01" })), {
      object: "list",
      data: [],
      has_more: false,
    });
    const filtered = await list(pageRequest({ limit: 2, starting_after: "obj_10" }), "desc", "id LIKE 'obj_0%'");
    assert.deepEqual(filtered, { object: "list", data: ["obj_09", "obj_08"], has_more: true });
  });

  it("validates list queries in a route", async () => {
    const app = await createTestApp({
      pool: db.pool,
      routes: async (routes) => {
        routes.get(
          "/test/things",
          { schema: { querystring: ListQuery, response: { 200: listOf(Type.String()) } } },
          async (request) => list(pageRequest(request.query as ListQuery)),
        );
      },
    });
    try {
      const page = await app.inject({ url: "/test/things?limit=2" });
      assert.deepEqual(page.json(), { object: "list", data: ["obj_25", "obj_24"], has_more: true });
      const defaults = await app.inject({ url: "/test/things" });
      assert.equal(defaults.json().data.length, listLimitDefault);
      for (const query of [`limit=${listLimitMax + 1}`, "limit=0", "limit=two", "color=red", "starting_after="]) {
        const refused = await app.inject({ url: `/test/things?${query}` });
        assert.equal(refused.statusCode, 400, query);
      }
      const both = await app.inject({ url: "/test/things?starting_after=obj_02&ending_before=obj_01" });
      assert.equal(both.json().error.param, "ending_before");
    } finally {
      await app.close();
    }
  });

  it("refuses identifiers that are not plain SQL names", async () => {
    await assert.rejects(
      keysetPage(db.pool, pageRequest({}), { ...options, sortColumns: ["created_at; DROP TABLE x"] }),
      /identifier/,
    );
  });
});
