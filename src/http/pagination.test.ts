import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Type } from "@sinclair/typebox";
import { createTestApp } from "../../test/helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../../test/helpers/db.js";
import { listLimitDefault, listLimitMax } from "../limits.js";
import { ApiError } from "./errors.js";
import {
  type KeysetOptions,
  keysetSql,
  ListQuery,
  listOf,
  type PageRequest,
  pageRequest,
  toListPage,
} from "./pagination.js";

describe("pagination", () => {
  let db: TestDatabase;
  // 25 objects; several share a created_at so the id must break ties.
  const ids = Array.from({ length: 25 }, (_, i) => `obj_${String(i + 1).padStart(2, "0")}`);
  const options: KeysetOptions = { table: "things", idColumn: "id", sortColumns: ["created_at", "id"], order: "desc" };

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
  });
  after(async () => {
    await db.drop();
  });

  async function list(page: PageRequest, order: "asc" | "desc" = "desc") {
    const sql = keysetSql(page, { ...options, order }, 2);
    const rows = await db.pool.query<{ id: string }>(
      `SELECT id FROM things WHERE tenant = $1 AND ${sql.where} ORDER BY ${sql.orderBy} ${sql.limit}`,
      ["acme", ...sql.params],
    );
    const result = toListPage(rows.rows, page);
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

  it("answers an empty page for a cursor that names no object", async () => {
    assert.deepEqual(await list(pageRequest({ starting_after: "obj_nope" })), {
      object: "list",
      data: [],
      has_more: false,
    });
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

  it("refuses identifiers that are not plain SQL names", () => {
    assert.throws(() => keysetSql(pageRequest({}), { ...options, table: "things; DROP TABLE x" }, 1), /identifier/);
  });
});
