import type { Clock } from "../clock.js";
import type { Pool, Queryable } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { newId } from "../ids.js";
import { kybDocumentsPerApplicationMax, kybTextLengthMax } from "../limits.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";
import { lastFour } from "../security/encryption.js";
import { type DocumentProblem, inspectDocument } from "./documents.js";
import {
  documentAad,
  type KybRow,
  kybAad,
  kybRowOfMerchant,
  loadApplication,
  missingRequirements,
  transitionKyb,
} from "./kyb-records.js";
import {
  businessCategories,
  type ConsoleActor,
  type DocumentType,
  fail,
  type KybApplication,
  type KybDocument,
  type KybPatch,
  kybEditableStates,
  ok,
  type RegisteredAddress,
  type Result,
} from "./model.js";

/**
 * The merchant's side of KYB: one application per merchant, created as a draft at sign-up, edited (fields and
 * documents) in draft or action_required, then submitted for review. The bank account number and the
 * representative's ID number are encrypted at rest (the row keeps their last four characters for display), and so
 * is every document.
 */
export type KybFailure = "kyb_not_editable" | "kyb_field_invalid" | "kyb_incomplete" | "resource_not_found";

export type KybService = ReturnType<typeof createKybService>;

export function createKybService(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  notifications: NotificationService;
}) {
  async function createDraft(tx: Queryable, merchantId: string): Promise<void> {
    const now = deps.clock.now();
    await tx.query(
      `INSERT INTO kyb_applications (id, merchant_id, state, created_at, updated_at) VALUES ($1, $2, 'draft', $3, $3)`,
      [newId("kyb"), merchantId, now],
    );
  }

  async function get(merchantId: string): Promise<KybApplication> {
    const row = await kybRowOfMerchant(deps.pool, merchantId);
    if (!row) throw new Error(`merchant ${merchantId} has no KYB application`);
    return loadApplication(deps.pool, row);
  }

  async function update(actor: ConsoleActor, patch: KybPatch): Promise<Result<KybApplication, KybFailure>> {
    const checked = checkPatch(patch);
    if (!checked.ok) return checked;
    return withTransaction(deps.pool, async (tx) => {
      const row = await kybRowOfMerchant(tx, actor.merchantId, true);
      if (!row) return fail("resource_not_found");
      if (!kybEditableStates.includes(row.state)) return fail("kyb_not_editable");
      const sets: string[] = [];
      const values: unknown[] = [row.id];
      const set = (column: string, value: unknown) => {
        values.push(value);
        sets.push(`${column} = $${values.length}`);
      };
      const p = checked.value;
      if (p.legal_name !== undefined) set("legal_name", p.legal_name);
      if (p.registration_number !== undefined) set("registration_number", p.registration_number);
      if (p.country !== undefined) set("country", p.country);
      if (p.registered_address !== undefined) {
        set("registered_address", p.registered_address === null ? null : JSON.stringify(p.registered_address));
      }
      if (p.business_category !== undefined) set("business_category", p.business_category);
      if (p.website !== undefined) set("website", p.website);
      const representative = p.representative === null ? { name: null, id_number: null } : p.representative;
      if (representative?.name !== undefined) set("representative_name", representative.name);
      if (representative?.id_number !== undefined) {
        const id = representative.id_number;
        set(
          "representative_id_number_enc",
          id === null ? null : await deps.secrets.encrypt(id, kybAad("representative_id_number_enc", row.id)),
        );
        set("representative_id_number_last4", id === null ? null : lastFour(id));
      }
      const bank =
        p.bank_account === null ? { holder_name: null, bank_name: null, account_number: null } : p.bank_account;
      if (bank?.holder_name !== undefined) set("bank_account_holder", bank.holder_name);
      if (bank?.bank_name !== undefined) set("bank_name", bank.bank_name);
      if (bank?.account_number !== undefined) {
        const number = bank.account_number;
        set(
          "bank_account_number_enc",
          number === null ? null : await deps.secrets.encrypt(number, kybAad("bank_account_number_enc", row.id)),
        );
        set("bank_account_number_last4", number === null ? null : lastFour(number));
      }
      set("updated_at", deps.clock.now());
      const updated = await tx.query<KybRow>(
        `UPDATE kyb_applications SET ${sets.join(", ")} WHERE id = $1 RETURNING *`,
        values,
      );
      return ok(await loadApplication(tx, updated.rows[0]!));
    });
  }

  async function addDocument(
    actor: ConsoleActor,
    input: { type: DocumentType; contentType: string; filename: string | null; contentBase64: string },
  ): Promise<Result<KybDocument, KybFailure | DocumentProblem | "document_limit_reached">> {
    const inspected = inspectDocument(input);
    if (!inspected.ok) return inspected;
    return withTransaction(deps.pool, async (tx) => {
      const row = await kybRowOfMerchant(tx, actor.merchantId, true);
      if (!row) return fail("resource_not_found");
      if (!kybEditableStates.includes(row.state)) return fail("kyb_not_editable");
      const count = await tx.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM kyb_documents WHERE application_id = $1 AND deleted_at IS NULL",
        [row.id],
      );
      if ((count.rows[0]?.n ?? 0) >= kybDocumentsPerApplicationMax) return fail("document_limit_reached");
      const id = newId("doc");
      const now = deps.clock.now();
      const sealed = await deps.secrets.encrypt(inspected.value.content, documentAad(id));
      await tx.query(
        `INSERT INTO kyb_documents (id, application_id, merchant_id, type, content_type, size_bytes, filename,
                                    content_enc, uploaded_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          row.id,
          actor.merchantId,
          input.type,
          inspected.value.contentType,
          inspected.value.content.length,
          input.filename,
          sealed,
          actor.userId,
          now,
        ],
      );
      await tx.query("UPDATE kyb_applications SET updated_at = $2 WHERE id = $1", [row.id, now]);
      return ok({
        id,
        type: input.type,
        contentType: inspected.value.contentType,
        sizeBytes: inspected.value.content.length,
        filename: input.filename,
        uploadedBy: actor.userId,
        createdAt: now,
      });
    });
  }

  async function removeDocument(actor: ConsoleActor, documentId: string): Promise<Result<void, KybFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const row = await kybRowOfMerchant(tx, actor.merchantId, true);
      if (!row) return fail("resource_not_found");
      const doc = await tx.query(
        "SELECT 1 FROM kyb_documents WHERE id = $1 AND merchant_id = $2 AND deleted_at IS NULL",
        [documentId, actor.merchantId],
      );
      if (doc.rowCount === 0) return fail("resource_not_found");
      if (!kybEditableStates.includes(row.state)) return fail("kyb_not_editable");
      // The ciphertext goes with the deletion: a removed document is not kept.
      await tx.query("UPDATE kyb_documents SET deleted_at = $2, content_enc = NULL WHERE id = $1", [
        documentId,
        deps.clock.now(),
      ]);
      return ok(undefined);
    });
  }

  async function submit(actor: ConsoleActor, linkBase: string): Promise<Result<KybApplication, KybFailure>> {
    return withTransaction(deps.pool, async (tx) => {
      const row = await kybRowOfMerchant(tx, actor.merchantId, true);
      if (!row) return fail("resource_not_found");
      if (!kybEditableStates.includes(row.state)) return fail("kyb_not_editable");
      const missing = missingRequirements(await loadApplication(tx, row));
      if (missing.length > 0) return fail("kyb_incomplete", `Still missing: ${missing.join(", ")}.`);
      const moved = await transitionKyb(
        tx,
        deps,
        row,
        "submitted",
        { type: "merchant_user", id: actor.userId, ip: actor.ip },
        [],
        linkBase,
      );
      return moved ? ok(moved) : fail("kyb_not_editable");
    });
  }

  return { createDraft, get, update, addDocument, removeDocument, submit };
}

/** Trims, checks and normalises a patch; empty strings clear a field. */
function checkPatch(patch: KybPatch): Result<KybPatch, "kyb_field_invalid"> {
  const out: KybPatch = {};
  const text = (value: string | null | undefined): string | null | undefined => {
    if (value === undefined || value === null) return value;
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  };
  const tooLong = (value: string | null | undefined) => typeof value === "string" && value.length > kybTextLengthMax;
  const invalid = (param: string, message?: string) => fail("kyb_field_invalid", message, param);

  for (const key of ["legal_name", "registration_number"] as const) {
    const value = text(patch[key]);
    if (tooLong(value)) return invalid(key);
    if (value !== undefined) out[key] = value;
  }
  if (patch.country !== undefined) {
    const country = text(patch.country)?.toUpperCase() ?? null;
    if (country !== null && !/^[A-Z]{2}$/.test(country)) {
      return invalid("country", "country must be an ISO 3166-1 alpha-2 code such as CN, SG or US.");
    }
    out.country = country;
  }
  if (patch.registered_address !== undefined) {
    if (patch.registered_address === null) out.registered_address = null;
    else {
      const a = patch.registered_address;
      const address: RegisteredAddress = {
        line1: text(a.line1) ?? "",
        line2: text(a.line2) ?? null,
        city: text(a.city) ?? "",
        postal_code: text(a.postal_code) ?? null,
        region: text(a.region) ?? null,
      };
      if (!address.line1) return invalid("registered_address.line1", "The address needs line1.");
      if (!address.city) return invalid("registered_address.city", "The address needs a city.");
      for (const [k, v] of Object.entries(address)) if (tooLong(v)) return invalid(`registered_address.${k}`);
      out.registered_address = address;
    }
  }
  if (patch.business_category !== undefined) {
    if (patch.business_category !== null && !businessCategories.includes(patch.business_category)) {
      return invalid("business_category");
    }
    out.business_category = patch.business_category;
  }
  if (patch.website !== undefined) {
    const website = text(patch.website);
    if (website) {
      let url: URL | undefined;
      try {
        url = new URL(website);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || tooLong(website) || url.username) {
        return invalid("website", "website must be an http(s) URL.");
      }
    }
    out.website = website ?? null;
  }
  if (patch.representative !== undefined) {
    if (patch.representative === null) out.representative = null;
    else {
      const name = text(patch.representative.name);
      if (tooLong(name)) return invalid("representative.name");
      let idNumber = text(patch.representative.id_number);
      if (typeof idNumber === "string") {
        idNumber = idNumber.replace(/\s+/g, "").toUpperCase();
        if (!/^[A-Z0-9-]{4,64}$/.test(idNumber)) {
          return invalid("representative.id_number", "id_number must be 4 to 64 letters, digits or dashes.");
        }
      }
      out.representative = {};
      if (name !== undefined) out.representative.name = name;
      if (idNumber !== undefined) out.representative.id_number = idNumber;
    }
  }
  if (patch.bank_account !== undefined) {
    if (patch.bank_account === null) out.bank_account = null;
    else {
      const holder = text(patch.bank_account.holder_name);
      const bankName = text(patch.bank_account.bank_name);
      if (tooLong(holder)) return invalid("bank_account.holder_name");
      if (tooLong(bankName)) return invalid("bank_account.bank_name");
      let number = text(patch.bank_account.account_number);
      if (typeof number === "string") {
        number = number.replace(/[\s-]+/g, "").toUpperCase();
        if (!/^[A-Z0-9]{4,34}$/.test(number)) {
          return invalid("bank_account.account_number", "account_number must be 4 to 34 letters or digits.");
        }
      }
      out.bank_account = {};
      if (holder !== undefined) out.bank_account.holder_name = holder;
      if (bankName !== undefined) out.bank_account.bank_name = bankName;
      if (number !== undefined) out.bank_account.account_number = number;
    }
  }
  return ok(out);
}
