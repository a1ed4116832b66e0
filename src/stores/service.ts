import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { recordEvent } from "../events/outbox.js";
import type { MerchantScope } from "../http/auth.js";
import { ApiError } from "../http/errors.js";
import type { AnswerRecorder } from "../http/idempotency.js";
import { type Metadata, mergeMetadata, metadataOf, sameMetadata } from "../http/metadata.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import { newId } from "../ids.js";
import { storeAddressLengthMax, storeNameLengthMax, tillNameLengthMax, tillTokenLength } from "../limits.js";
import { randomBase62 } from "../merchants/tokens.js";
import type { PaymentServices } from "../payments/service.js";
import type { TestClocks } from "../sandbox/test-clock.js";
import type { PosterLanguage } from "./messages.js";
import {
  type Store,
  type StoreRow,
  storeFromRow,
  storeJson,
  type TakingsJson,
  type Till,
  type TillRow,
  type TillTakings,
  takingsJson,
  tillFromRow,
  tillJson,
  tillQrPayload,
} from "./model.js";
import type { PosterInput } from "./poster.js";
import { findStoreRow, findTillRow } from "./store.js";

/**
 * Stores and tills (docs/stores-and-tills.md): a merchant's shops and their counters. A till's static QR code is
 * paid from the wallet with an amount the payer types (src/payments/payer.ts); a payment the merchant creates with
 * `till` names it too. This service keeps the stores and tills and reads a store's takings of a day.
 */
export interface StoreDeps {
  pool: Pool;
  testClocks: TestClocks;
  payments: PaymentServices;
}

export interface CreateStoreInput {
  name: string;
  address?: string;
  metadata?: Metadata;
  currency: string;
}

export interface UpdateStoreInput {
  name?: string;
  address?: string | null;
  metadata?: Metadata;
}

export type StoreService = ReturnType<typeof createStoreService>;

/** Text people typed: trimmed, not empty, not longer than max. */
function checkText(value: string, field: string, max: number): string {
  const text = value.trim();
  if (text.length === 0 || text.length > max) {
    throw new ApiError("parameter_invalid", `${field} is 1 to ${max} characters.`, field);
  }
  return text;
}

export function createStoreService(deps: StoreDeps) {
  const { pool } = deps;
  const links = deps.payments.links;
  const storeNotFound = () => new ApiError("resource_not_found", "No such store.", "id");
  const tillNotFound = () => new ApiError("resource_not_found", "No such till.", "id");

  async function recordStoreEvent(
    tx: Queryable,
    type: "store.created" | "store.updated",
    store: Store,
    at: Date,
    previous?: Record<string, unknown>,
  ) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: store.merchantId,
        livemode: store.livemode,
        object: storeJson(store),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  async function recordTillEvent(
    tx: Queryable,
    type: "till.created" | "till.updated" | "till.deactivated",
    till: Till,
    at: Date,
    previous?: Record<string, unknown>,
  ) {
    await recordEvent(
      tx,
      {
        type,
        merchantId: till.merchantId,
        livemode: till.livemode,
        object: tillJson(till, links, { svg: false }),
        ...(previous ? { previousAttributes: previous } : {}),
      },
      at,
    );
  }

  async function createStore(scope: MerchantScope, input: CreateStoreInput, answer?: AnswerRecorder<Store>) {
    const name = checkText(input.name, "name", storeNameLengthMax);
    const address = input.address === undefined ? null : checkText(input.address, "address", storeAddressLengthMax);
    const currency = deps.payments.payments.supportedCurrency(input.currency);
    const now = await deps.testClocks.now(scope.merchantId, scope.livemode);
    const store: Store = {
      id: newId("sto"),
      merchantId: scope.merchantId,
      livemode: scope.livemode,
      name,
      address,
      currency,
      metadata: metadataOf(input.metadata),
      createdAt: now,
      updatedAt: now,
    };
    return withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO stores (id, merchant_id, livemode, name, address, currency, created_at, updated_at, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8)`,
        [
          store.id,
          store.merchantId,
          store.livemode,
          store.name,
          store.address,
          store.currency,
          now,
          JSON.stringify(store.metadata),
        ],
      );
      await recordStoreEvent(tx, "store.created", store, now);
      await answer?.(tx, store);
      return store;
    });
  }

  async function getStore(scope: MerchantScope, id: string): Promise<Store> {
    const row = await findStoreRow(pool, scope, id);
    if (!row) throw storeNotFound();
    return storeFromRow(row);
  }

  async function listStores(scope: MerchantScope, page: PageRequest): Promise<ListPage<Store>> {
    const rows = await keysetPage<StoreRow>(pool, page, {
      from: "stores",
      scope: "merchant_id = $1 AND livemode = $2",
      params: [scope.merchantId, scope.livemode],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return mapPage(rows, storeFromRow);
  }

  /** The name and address change; the currency stays (its tills' payments are in it). */
  async function updateStore(
    scope: MerchantScope,
    id: string,
    input: UpdateStoreInput,
    answer?: AnswerRecorder<Store>,
  ): Promise<Store> {
    return withTransaction(pool, async (tx) => {
      const row = await findStoreRow(tx, scope, id, true);
      if (!row) throw storeNotFound();
      const store = storeFromRow(row);
      const next: Store = { ...store };
      const previous: Record<string, unknown> = {};
      if (input.name !== undefined) {
        next.name = checkText(input.name, "name", storeNameLengthMax);
        if (next.name !== store.name) previous.name = store.name;
      }
      if (input.address !== undefined) {
        next.address = input.address === null ? null : checkText(input.address, "address", storeAddressLengthMax);
        if (next.address !== store.address) previous.address = store.address;
      }
      if (input.metadata !== undefined) {
        next.metadata = mergeMetadata(store.metadata, input.metadata);
        if (!sameMetadata(next.metadata, store.metadata)) previous.metadata = store.metadata;
      }
      if (Object.keys(previous).length === 0) {
        await answer?.(tx, store);
        return store;
      }
      const now = await deps.testClocks.now(scope.merchantId, scope.livemode, tx);
      next.updatedAt = now;
      await tx.query("UPDATE stores SET name = $2, address = $3, updated_at = $4, metadata = $5 WHERE id = $1", [
        store.id,
        next.name,
        next.address,
        now,
        JSON.stringify(next.metadata),
      ]);
      await recordStoreEvent(tx, "store.updated", next, now, previous);
      await answer?.(tx, next);
      return next;
    });
  }

  async function createTill(
    scope: MerchantScope,
    storeId: string,
    input: { name?: string; metadata?: Metadata },
    answer?: AnswerRecorder<Till>,
  ): Promise<Till> {
    // The store is looked up before the body is judged: another tenant's store is a 404 whatever the body says.
    const store = await findStoreRow(pool, scope, storeId);
    if (!store) throw storeNotFound();
    if (input.name === undefined) throw new ApiError("parameter_missing", "A till needs a name.", "name");
    const name = checkText(input.name, "name", tillNameLengthMax);
    const now = await deps.testClocks.now(scope.merchantId, scope.livemode);
    const till: Till = {
      id: newId("til"),
      storeId: store.id,
      merchantId: scope.merchantId,
      livemode: scope.livemode,
      name,
      token: randomBase62(tillTokenLength),
      active: true,
      deactivatedAt: null,
      metadata: metadataOf(input.metadata),
      createdAt: now,
      updatedAt: now,
    };
    return withTransaction(pool, async (tx) => {
      await tx.query(
        `INSERT INTO tills (id, store_id, merchant_id, livemode, name, token, active, created_at, updated_at, metadata)
         VALUES ($1, $2, $3, $4, $5, $6, true, $7, $7, $8)`,
        [
          till.id,
          till.storeId,
          till.merchantId,
          till.livemode,
          till.name,
          till.token,
          now,
          JSON.stringify(till.metadata),
        ],
      );
      await recordTillEvent(tx, "till.created", till, now);
      await answer?.(tx, till);
      return till;
    });
  }

  async function listTills(scope: MerchantScope, storeId: string, page: PageRequest): Promise<ListPage<Till>> {
    const store = await findStoreRow(pool, scope, storeId);
    if (!store) throw storeNotFound();
    const rows = await keysetPage<TillRow>(pool, page, {
      from: "tills",
      scope: "store_id = $1 AND merchant_id = $2 AND livemode = $3",
      params: [store.id, scope.merchantId, scope.livemode],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "asc",
    });
    return mapPage(rows, tillFromRow);
  }

  async function getTill(scope: MerchantScope, id: string): Promise<Till> {
    const row = await findTillRow(pool, scope, id);
    if (!row) throw tillNotFound();
    return tillFromRow(row);
  }

  async function updateTill(
    scope: MerchantScope,
    id: string,
    input: { name?: string; metadata?: Metadata },
    answer?: AnswerRecorder<Till>,
  ): Promise<Till> {
    return withTransaction(pool, async (tx) => {
      const row = await findTillRow(tx, scope, id, true);
      if (!row) throw tillNotFound();
      const till = tillFromRow(row);
      const name = input.name === undefined ? till.name : checkText(input.name, "name", tillNameLengthMax);
      const metadata = mergeMetadata(till.metadata, input.metadata);
      const previous: Record<string, unknown> = {};
      if (name !== till.name) previous.name = till.name;
      if (!sameMetadata(metadata, till.metadata)) previous.metadata = till.metadata;
      if (Object.keys(previous).length === 0) {
        await answer?.(tx, till);
        return till;
      }
      const now = await deps.testClocks.now(scope.merchantId, scope.livemode, tx);
      const next: Till = { ...till, name, metadata, updatedAt: now };
      await tx.query("UPDATE tills SET name = $2, updated_at = $3, metadata = $4 WHERE id = $1", [
        till.id,
        name,
        now,
        JSON.stringify(metadata),
      ]);
      await recordTillEvent(tx, "till.updated", next, now, previous);
      await answer?.(tx, next);
      return next;
    });
  }

  /** For good: its QR code takes no more payments; payments already made at it keep naming it. */
  async function deactivateTill(scope: MerchantScope, id: string, answer?: AnswerRecorder<Till>): Promise<Till> {
    return withTransaction(pool, async (tx) => {
      const row = await findTillRow(tx, scope, id, true);
      if (!row) throw tillNotFound();
      const till = tillFromRow(row);
      if (!till.active) {
        await answer?.(tx, till);
        return till;
      }
      const now = await deps.testClocks.now(scope.merchantId, scope.livemode, tx);
      const next: Till = { ...till, active: false, deactivatedAt: now, updatedAt: now };
      await tx.query("UPDATE tills SET active = false, deactivated_at = $2, updated_at = $2 WHERE id = $1", [
        till.id,
        now,
      ]);
      await recordTillEvent(tx, "till.deactivated", next, now, { active: true });
      await answer?.(tx, next);
      return next;
    });
  }

  /**
   * A store's takings of one calendar day in the merchant's time zone (today, by the merchant's clock, when no date
   * is given), per till: the payments paid that day (count and gross, what was captured) and the refunds made that
   * day on the till's payments. Each read goes through an index: the till's payments by paid_at, the merchant's
   * refunds by created_at.
   */
  async function takings(scope: MerchantScope, storeId: string, date?: string): Promise<TakingsJson> {
    const row = await findStoreRow(pool, scope, storeId);
    if (!row) throw storeNotFound();
    const store = storeFromRow(row);
    if (date !== undefined && !isCalendarDate(date)) {
      throw new ApiError("parameter_invalid", "date is a calendar day, YYYY-MM-DD.", "date");
    }
    const now = await deps.testClocks.now(scope.merchantId, scope.livemode);
    const day = await pool.query<{ time_zone: string; day: string; from_at: Date; to_at: Date }>(
      `WITH z AS (SELECT time_zone, coalesce($2::date, ($3::timestamptz AT TIME ZONE time_zone)::date) AS day
                    FROM merchants WHERE id = $1)
       SELECT time_zone, to_char(day, 'YYYY-MM-DD') AS day,
              day::timestamp AT TIME ZONE time_zone AS from_at, (day + 1)::timestamp AT TIME ZONE time_zone AS to_at
         FROM z`,
      [scope.merchantId, date ?? null, now],
    );
    const bounds = day.rows[0]!;
    const tillRows = await pool.query<TillRow>("SELECT * FROM tills WHERE store_id = $1 ORDER BY name, id", [store.id]);
    const tills = tillRows.rows.map(tillFromRow);
    const ids = tills.map((t) => t.id);
    const paid = await pool.query<{ till_id: string; count: string; gross: string }>(
      `SELECT till_id, count(*) AS count, sum(amount_captured) AS gross FROM payments
        WHERE till_id = ANY($1::text[]) AND paid_at >= $2 AND paid_at < $3 AND amount_captured > 0
        GROUP BY till_id`,
      [ids, bounds.from_at, bounds.to_at],
    );
    const refunded = await pool.query<{ till_id: string; refunds: string }>(
      `SELECT p.till_id, sum(r.amount) AS refunds FROM refunds r JOIN payments p ON p.id = r.payment_id
        WHERE r.merchant_id = $1 AND r.livemode = $2 AND r.created_at >= $3 AND r.created_at < $4
          AND r.status = 'succeeded' AND p.till_id = ANY($5::text[])
        GROUP BY p.till_id`,
      [scope.merchantId, scope.livemode, bounds.from_at, bounds.to_at, ids],
    );
    const paidBy = new Map(paid.rows.map((r) => [r.till_id, r]));
    const refundedBy = new Map(refunded.rows.map((r) => [r.till_id, BigInt(r.refunds)]));
    const figures: TillTakings[] = tills.map((till) => ({
      till,
      count: Number(paidBy.get(till.id)?.count ?? 0),
      gross: BigInt(paidBy.get(till.id)?.gross ?? 0),
      refunds: refundedBy.get(till.id) ?? 0n,
    }));
    return takingsJson(store, bounds.day, bounds.time_zone, figures);
  }

  /** What a till's poster shows: its merchant, store and till names and its QR code. */
  async function posterOf(scope: MerchantScope, id: string, language: PosterLanguage): Promise<PosterInput> {
    const row = await findTillRow(pool, scope, id);
    if (!row) throw tillNotFound();
    const found = await pool.query<{ store_name: string; business_name: string }>(
      `SELECT s.name AS store_name, m.business_name FROM stores s JOIN merchants m ON m.id = s.merchant_id
        WHERE s.id = $1`,
      [row.store_id],
    );
    const names = found.rows[0]!;
    const till = tillFromRow(row);
    return {
      merchantName: names.business_name,
      storeName: names.store_name,
      tillName: till.name,
      payload: tillQrPayload(links, till),
      language,
    };
  }

  return {
    posterOf,
    createStore,
    getStore,
    listStores,
    updateStore,
    createTill,
    listTills,
    getTill,
    updateTill,
    deactivateTill,
    takings,
  };
}

/** YYYY-MM-DD naming a real day (2026-02-30 is not one). */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}
