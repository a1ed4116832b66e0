import { type Static, type TSchema, Type } from "@sinclair/typebox";
import type { Queryable } from "../db/pool.js";
import { listCursorLengthMax, listLimitDefault, listLimitMax } from "../limits.js";
import { ApiError } from "./errors.js";

/**
 * Lists, Stripe-style: `{object: "list", data, has_more}`, newest first by default, paged with `limit` and a cursor
 * that is the id of an object in the list: `starting_after` pages forward (older), `ending_before` backward.
 * Keyset pagination: each page is one index range scan, however deep the client pages. A cursor must name an object
 * the caller may list; any other id (unknown, or another tenant's) answers 400 parameter_invalid, the same for both.
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

/**
 * One list, described for keysetPage. Every SQL fragment here is written by coffer's code, never taken from a
 * request; values go in params.
 */
export interface KeysetList {
  /** What the list reads: a table ("payments"), or a subquery with an alias ("(SELECT …) AS deliveries"). */
  from: string;
  /** The select list; "*" unless given. */
  columns?: string;
  /**
   * The rows this caller may see at all, e.g. "merchant_id = $1 AND livemode = $2": a cursor must name one of them,
   * whatever the list's filters. "TRUE" for a list whose reader sees everything (operators).
   */
  scope: string;
  /** The list's own filters (status, type, time …), on top of scope; they do not apply to the cursor. */
  filter?: string;
  /** The values of $1… in scope and filter. */
  params: unknown[];
  /** The column holding the public id that cursors name. */
  idColumn: string;
  /** Columns giving a unique, stable order, e.g. ["created_at", "id"]. */
  sortColumns: string[];
  /** The order of the list as the client sees it. */
  order: "asc" | "desc";
}

const identifier = /^[a-z_][a-z0-9_]*$/;
/** Internal columns of a page query with a cursor, taken off before rows are returned. */
const cursorFoundColumn = "coffer_cursor_found";
const positionColumn = "coffer_position";

/**
 * The cursor names no object this caller may list. Its own objects and everyone else's unknown ids answer alike, so
 * a cursor cannot tell whether an id exists in another tenant (docs/errors.md, "Lists").
 */
export function cursorUnknown(page: PageRequest): ApiError {
  const param = page.cursor?.direction === "before" ? "ending_before" : "starting_after";
  return new ApiError("parameter_invalid", `${param} must be the id of an object in this list.`, param);
}

/**
 * Reads one page of a list: one statement, one index range scan however deep the client pages. With a cursor, the
 * cursor is looked up within the caller's scope in the same statement as the page, and a cursor not found there
 * answers cursorUnknown() (400 parameter_invalid naming the cursor parameter) instead of a page.
 */
export async function keysetPage<Row>(db: Queryable, page: PageRequest, list: KeysetList): Promise<ListPage<Row>> {
  for (const name of [list.idColumn, ...list.sortColumns]) {
    if (!identifier.test(name)) throw new Error(`keysetPage: "${name}" is not a plain SQL identifier`);
  }
  if (list.sortColumns.length === 0) throw new Error("keysetPage: sortColumns must not be empty");

  // Paging backward reads the rows nearest the cursor in reverse order; toListPage turns them around again.
  const backward = page.cursor?.direction === "before";
  const descending = (list.order === "desc") !== backward;
  const direction = descending ? "DESC" : "ASC";
  const orderBy = list.sortColumns.map((column) => `${column} ${direction}`).join(", ");
  const columns = list.columns ?? "*";
  const where = `(${list.scope}) AND (${list.filter ?? "TRUE"})`;
  const limit = `LIMIT ${page.limit + 1}`;
  if (!page.cursor) {
    const result = await db.query(
      `SELECT ${columns} FROM ${list.from} WHERE ${where} ORDER BY ${orderBy} ${limit}`,
      list.params,
    );
    return toListPage(result.rows as Row[], page);
  }

  // One row always comes back, so an empty page still says whether its cursor was found; the page's rows are
  // numbered so their order survives the join.
  const sort = list.sortColumns.join(", ");
  const cursorParam = `$${list.params.length + 1}`;
  const result = await db.query(
    `WITH list_cursor AS (SELECT ${sort} FROM ${list.from} WHERE (${list.scope}) AND ${list.idColumn} = ${cursorParam})
     SELECT listed.*, EXISTS (SELECT 1 FROM list_cursor) AS ${cursorFoundColumn}
       FROM (SELECT 1) AS anchor
       LEFT JOIN LATERAL (
         SELECT ${columns}, row_number() OVER (ORDER BY ${orderBy}) AS ${positionColumn}
           FROM ${list.from}
          WHERE ${where} AND (${sort}) ${descending ? "<" : ">"} (SELECT ${sort} FROM list_cursor)
          ORDER BY ${orderBy} ${limit}) AS listed ON TRUE
      ORDER BY listed.${positionColumn}`,
    [...list.params, page.cursor.id],
  );
  if (result.rows[0]?.[cursorFoundColumn] !== true) throw cursorUnknown(page);
  const rows = result.rows
    .filter((row) => row[positionColumn] !== null)
    .map((row) => {
      const { [cursorFoundColumn]: _found, [positionColumn]: _position, ...rest } = row;
      return rest as Row;
    });
  return toListPage(rows, page);
}

/** A page with each object turned into its API shape. */
export function mapPage<T, U>(page: ListPage<T>, map: (item: T) => U): ListPage<U> {
  return { ...page, data: page.data.map(map) };
}

/** Trims the extra row and restores list order. */
export function toListPage<T>(rows: T[], page: PageRequest): ListPage<T> {
  const has_more = rows.length > page.limit;
  const data = rows.slice(0, page.limit);
  if (page.cursor?.direction === "before") data.reverse();
  return { object: "list", data, has_more };
}
