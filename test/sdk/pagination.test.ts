import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type ListPage, ListPromise, type ListQuery } from "../../sdk/src/pagination.js";

/** ListPromise on its own: what it asks for and when. */
function pagesOf(ids: string[], size: number) {
  const asked: ListQuery[] = [];
  const fetchPage = async (query: ListQuery): Promise<ListPage<{ id: string }>> => {
    asked.push(query);
    const start = query.starting_after ? ids.indexOf(query.starting_after) + 1 : 0;
    const data = ids.slice(start, start + size).map((id) => ({ id }));
    return { object: "list", data, has_more: start + size < ids.length };
  };
  return { asked, fetchPage };
}

describe("ListPromise", () => {
  it("asks for nothing until awaited or iterated, and shares the first page between both", async () => {
    const { asked, fetchPage } = pagesOf(["a", "b", "c"], 2);
    const list = new ListPromise(fetchPage, { limit: 2 });
    assert.equal(asked.length, 0);
    assert.deepEqual((await list).data, [{ id: "a" }, { id: "b" }]);
    assert.deepEqual(
      (await list.toArray()).map((item) => item.id),
      ["a", "b", "c"],
    );
    assert.deepEqual(asked, [{ limit: 2 }, { limit: 2, starting_after: "b" }]);
  });

  it("stops at an empty page even if the server said has_more, and guards toArray's size", async () => {
    const list = new ListPromise(async () => ({ object: "list" as const, data: [], has_more: true }));
    assert.deepEqual(await list.toArray(), []);
    const { fetchPage } = pagesOf(["a", "b", "c"], 1);
    await assert.rejects(new ListPromise(fetchPage).toArray(2), RangeError);
  });
});
