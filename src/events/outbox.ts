import { type EventRow as EventInsert, gather } from "../db/deferred-writes.js";
import type { Queryable } from "../db/pool.js";
import { apiVersionLatest } from "../http/versioning.js";
import { newId } from "../ids.js";
import { eventTypeLengthMax } from "../limits.js";
import { isCatalogued } from "./catalog.js";

/**
 * The outbox: every state change writes an event row in the same transaction as the change itself, so an event
 * exists exactly when its change committed. Webhook delivery and `GET /v1/events` read from here; nothing is ever
 * sent from inside a business transaction.
 */

export interface EventInput {
  /** Dotted, object first: "payment.succeeded", "kyb_application.approved", "top_up.failed". */
  type: string;
  /** The merchant whose event it is; null for wallet-side or platform events. */
  merchantId: string | null;
  walletUserId?: string | null;
  livemode: boolean;
  /** The object as it is after the change, exactly as the API shows it. */
  object: Record<string, unknown>;
  /** For updates: the changed fields' values before the change. */
  previousAttributes?: Record<string, unknown>;
}

export interface CofferEvent {
  id: string;
  object: "event";
  type: string;
  created: number;
  livemode: boolean;
  api_version: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
}

const eventTypePattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;

export function isEventType(type: string): boolean {
  return type.length <= eventTypeLengthMax && eventTypePattern.test(type);
}

/** Writes one event in the caller's transaction. */
export async function recordEvent(tx: Queryable, input: EventInput, at: Date = new Date()): Promise<CofferEvent> {
  if (!isEventType(input.type)) throw new Error(`event type "${input.type}" is not of the form object.change`);
  if (!isCatalogued(input.type))
    throw new Error(`event type "${input.type}" is not in src/events/catalog.ts: add it there`);
  const id = newId("evt");
  const data = {
    object: input.object,
    ...(input.previousAttributes ? { previous_attributes: input.previousAttributes } : {}),
  };
  const row: EventInsert = {
    id,
    type: input.type,
    merchantId: input.merchantId,
    walletUserId: input.walletUserId ?? null,
    livemode: input.livemode,
    apiVersion: apiVersionLatest,
    data: JSON.stringify(data, jsonBigint),
    createdAt: at,
  };
  // Written with the transaction's other events just before its COMMIT, when its opener gathers them.
  await gather(tx, (writes) => writes.event(row));
  return {
    id,
    object: "event",
    type: input.type,
    created: Math.floor(at.getTime() / 1000),
    livemode: input.livemode,
    api_version: apiVersionLatest,
    data,
  };
}

/** API objects carry amounts as strings; a bigint that slips through is written as its decimal string. */
function jsonBigint(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

interface EventRow {
  id: string;
  type: string;
  livemode: boolean;
  api_version: string;
  data: CofferEvent["data"];
  created_at: Date;
}

export function eventFromRow(row: EventRow): CofferEvent {
  return {
    id: row.id,
    object: "event",
    type: row.type,
    created: Math.floor(row.created_at.getTime() / 1000),
    livemode: row.livemode,
    api_version: row.api_version,
    data: row.data,
  };
}
