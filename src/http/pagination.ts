import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { listCursorLengthMax, listLimitDefault, listLimitMax } from "../limits.js";
import { ApiError } from "./errors.js";

/**
 * Lists, Stripe-style: `{object: "list", data, has_more}`, newest first by default, paged with `limit` and a cursor
 * that is the id of an object in the list: `starting_after` pages forward (older), `ending_before` backward.
 * Keyset pagination: each page is one index range scan, however deep the client pages.
 */

/** Spread into a route's querystring schema next to its own filters. */
export const listQueryProperties = {
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: listLimitMax,
      default: listLimitDefault,
      description: `How many objects to return, 1 to ${listLimitMax}.`,
    }),
  ),
  starting_after: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: listCursorLengthMax,
      description: "An object id: return the objects that come after it in the list (the next page).",
    }),
  ),
  ending_before: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: listCursorLengthMax,
      description: "An object id: return the objects that come before it in the list (the previous page).",
    }),
  ),
};

export const ListQuery = Type.Object(listQueryProperties, { additionalProperties: false });
export type ListQuery = Static<typeof ListQuery>;

export function listOf<T extends TSchema>(item: T) {
  return Type.Object(
    {
      object: Type.Literal("list"),
      data: Type.Array(item),
      has_more: Type.Boolean({ description: "Whether more objects follow in the direction of paging." }),
    },
    { additionalProperties: false },
  );
}

export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}

export interface PageRequest {
  limit: number;
  cursor: { direction: "after" | "before"; id: string } | undefined;
}

export function pageRequest(query: { limit?: number; starting_after?: string; ending_before?: string }): PageRequest {
  if (query.starting_after !== undefined && query.ending_before !== undefined) {
    throw new ApiError("parameter_invalid", "Send starting_after or ending_before, not both.", "ending_before");
  }
  const limit = query.limit ?? listLimitDefault;
  if (!Number.isInteger(limit) || limit < 1 || limit > listLimitMax) {
    throw new ApiError("parameter_invalid", `limit must be from 1 to ${listLimitMax}.`, "limit");
  }
  if (query.starting_after !== undefined) return { limit, cursor: { direction: "after", id: query.starting_after } };
  if (query.ending_before !== undefined) return { limit, cursor: { direction: "before", id: query.ending_before } };
  return { limit, cursor: undefined };
}

export interface KeysetOptions {
  /** The table the cursor object is looked up in. */
  table: string;
  /** The column holding the public id that cursors name. */
  idColumn: string;
  /** Columns giving a unique, stable order, e.g. ["created_at", "id"]. */
  sortColumns: string[];
  /** The order of the list as the client sees it. */
  order: "asc" | "desc";
}

export interface KeysetSql {
  /** A condition to AND into the query's WHERE (tenant filters stay the caller's); "TRUE" on the first page. */
  where: string;
  orderBy: string;
  /** One row more than the page, to know has_more without counting. */
  limit: string;
  params: unknown[];
}

const identifier = /^[a-z_][a-z0-9_]*$/;

/**
 * The SQL pieces for one page. Parameters are numbered from firstParam, so they follow the caller's own.
 * A cursor naming an object that does not exist yields an empty page.
 */
export function keysetSql(page: PageRequest, options: KeysetOptions, firstParam: number): KeysetSql {
  for (const name of [options.table, options.idColumn, ...options.sortColumns]) {
    if (!identifier.test(name)) throw new Error(`keysetSql: "${name}" is not a plain SQL identifier`);
  }
  if (options.sortColumns.length === 0) throw new Error("keysetSql: sortColumns must not be empty");

  // Paging backward reads the rows nearest the cursor in reverse order; toListPage turns them around again.
  const backward = page.cursor?.direction === "before";
  const descending = (options.order === "desc") !== backward;
  const direction = descending ? "DESC" : "ASC";
  const orderBy = options.sortColumns.map((column) => `${column} ${direction}`).join(", ");
  const limit = `LIMIT ${page.limit + 1}`;
  if (!page.cursor) return { where: "TRUE", orderBy, limit, params: [] };

  const columns = options.sortColumns.join(", ");
  const comparison = descending ? "<" : ">";
  const where =
    `(${columns}) ${comparison} ` +
    `(SELECT ${columns} FROM ${options.table} WHERE ${options.idColumn} = $${firstParam})`;
  return { where, orderBy, limit, params: [page.cursor.id] };
}

/** Trims the extra row and restores list order. */
export function toListPage<T>(rows: T[], page: PageRequest): ListPage<T> {
  const has_more = rows.length > page.limit;
  const data = rows.slice(0, page.limit);
  if (page.cursor?.direction === "before") data.reverse();
  return { object: "list", data, has_more };
}
