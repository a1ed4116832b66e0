import type { Clock } from "../clock.js";
import type { Queryable } from "../db/pool.js";
import { recordEvent } from "../events/outbox.js";
import type { NotificationService } from "../notifications/service.js";
import { type AuditActorType, appendAudit } from "../security/audit.js";
import { kybActionRequiredTemplate, kybApprovedTemplate, kybRejectedTemplate } from "./messages.js";
import {
  type BusinessCategory,
  type DocumentContentType,
  type DocumentType,
  type KybApplication,
  type KybDocument,
  type KybState,
  type KybStateChange,
  kybTransitions,
  type RegisteredAddress,
  requiredDocumentTypes,
} from "./model.js";
import { merchantContacts } from "./users.js";

/**
 * KYB applications as rows and as API objects, and the one place their state changes: every transition checks the
 * state machine, writes who, when and why (kyb_state_changes), an audit record and, for the states a merchant
 * reacts to, an outbox event and a mail to the merchant's owner and admins, all in the caller's transaction.
 */

export interface KybRow {
  id: string;
  merchant_id: string;
  state: KybState;
  legal_name: string | null;
  registration_number: string | null;
  country: string | null;
  registered_address: RegisteredAddress | null;
  business_category: BusinessCategory | null;
  website: string | null;
  representative_name: string | null;
  representative_id_number_enc: string | null;
  representative_id_number_last4: string | null;
  bank_account_holder: string | null;
  bank_name: string | null;
  bank_account_number_enc: string | null;
  bank_account_number_last4: string | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  decided_at: Date | null;
}

/** The aad of an encrypted KYB column: a ciphertext moved to another row or column does not decrypt. */
export const kybAad = (column: "representative_id_number_enc" | "bank_account_number_enc", id: string) =>
  `kyb_applications.${column}:${id}`;
export const documentAad = (id: string) => `kyb_documents.content_enc:${id}`;

export async function kybRowOfMerchant(db: Queryable, merchantId: string, lock = false): Promise<KybRow | undefined> {
  const result = await db.query<KybRow>(
    `SELECT * FROM kyb_applications WHERE merchant_id = $1${lock ? " FOR UPDATE" : ""}`,
    [merchantId],
  );
  return result.rows[0];
}

export async function kybRowById(db: Queryable, id: string, lock = false): Promise<KybRow | undefined> {
  const result = await db.query<KybRow>(`SELECT * FROM kyb_applications WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
    id,
  ]);
  return result.rows[0];
}

export async function loadApplication(db: Queryable, row: KybRow): Promise<KybApplication> {
  const documents = await db.query<{
    id: string;
    type: DocumentType;
    content_type: DocumentContentType;
    size_bytes: number;
    filename: string | null;
    uploaded_by: string;
    created_at: Date;
  }>(
    `SELECT id, type, content_type, size_bytes, filename, uploaded_by, created_at FROM kyb_documents
      WHERE application_id = $1 AND deleted_at IS NULL ORDER BY created_at, id`,
    [row.id],
  );
  const history = await db.query<{
    from_state: KybState;
    to_state: KybState;
    actor_type: "merchant_user" | "operator";
    actor_id: string;
    reasons: string[];
    created_at: Date;
  }>("SELECT * FROM kyb_state_changes WHERE application_id = $1 ORDER BY seq", [row.id]);
  return {
    id: row.id,
    merchantId: row.merchant_id,
    state: row.state,
    legalName: row.legal_name,
    registrationNumber: row.registration_number,
    country: row.country,
    registeredAddress: row.registered_address,
    businessCategory: row.business_category,
    website: row.website,
    representativeName: row.representative_name,
    representativeIdNumberLast4: row.representative_id_number_last4,
    bankAccountHolder: row.bank_account_holder,
    bankName: row.bank_name,
    bankAccountNumberLast4: row.bank_account_number_last4,
    documents: documents.rows.map(
      (d): KybDocument => ({
        id: d.id,
        type: d.type,
        contentType: d.content_type,
        sizeBytes: d.size_bytes,
        filename: d.filename,
        uploadedBy: d.uploaded_by,
        createdAt: d.created_at,
      }),
    ),
    history: history.rows.map(
      (h): KybStateChange => ({
        from: h.from_state,
        to: h.to_state,
        actorType: h.actor_type,
        actorId: h.actor_id,
        reasons: h.reasons,
        at: h.created_at,
      }),
    ),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    decidedAt: row.decided_at,
  };
}

/** What is still missing before the application can be submitted: field names and document types. */
export function missingRequirements(app: KybApplication): string[] {
  const missing: string[] = [];
  const fields: [string, unknown][] = [
    ["legal_name", app.legalName],
    ["registration_number", app.registrationNumber],
    ["country", app.country],
    ["registered_address", app.registeredAddress],
    ["business_category", app.businessCategory],
    ["representative.name", app.representativeName],
    ["representative.id_number", app.representativeIdNumberLast4],
    ["bank_account.holder_name", app.bankAccountHolder],
    ["bank_account.bank_name", app.bankName],
    ["bank_account.account_number", app.bankAccountNumberLast4],
  ];
  for (const [name, value] of fields) if (value === null) missing.push(name);
  for (const type of requiredDocumentTypes) {
    if (!app.documents.some((d) => d.type === type)) missing.push(`documents.${type}`);
  }
  return missing;
}

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

/** The application as the merchant sees it (and as events carry it): sensitive numbers as their last four. */
export function kybApplicationObject(app: KybApplication) {
  return {
    id: app.id,
    object: "kyb_application" as const,
    merchant: app.merchantId,
    state: app.state,
    legal_name: app.legalName,
    registration_number: app.registrationNumber,
    country: app.country,
    registered_address: app.registeredAddress,
    business_category: app.businessCategory,
    website: app.website,
    representative: { name: app.representativeName, id_number_last4: app.representativeIdNumberLast4 },
    bank_account: {
      holder_name: app.bankAccountHolder,
      bank_name: app.bankName,
      account_number_last4: app.bankAccountNumberLast4,
    },
    documents: app.documents.map(kybDocumentObject),
    requirements: { missing: missingRequirements(app) },
    history: app.history.map((h) => ({
      from: h.from,
      to: h.to,
      actor: { type: h.actorType, id: h.actorId },
      reasons: h.reasons,
      at: unix(h.at)!,
    })),
    created: unix(app.createdAt)!,
    updated: unix(app.updatedAt)!,
    submitted_at: unix(app.submittedAt),
    decided_at: unix(app.decidedAt),
  };
}
export type KybApplicationObject = ReturnType<typeof kybApplicationObject>;

export function kybDocumentObject(doc: KybDocument) {
  return {
    id: doc.id,
    object: "kyb_document" as const,
    type: doc.type,
    content_type: doc.contentType,
    size: doc.sizeBytes,
    filename: doc.filename,
    uploaded_by: doc.uploadedBy,
    created: unix(doc.createdAt)!,
  };
}

export interface TransitionActor {
  type: "merchant_user" | "operator";
  id: string;
  ip?: string | null;
}

export interface TransitionDeps {
  clock: Clock;
  notifications: NotificationService;
}

const auditActions: Readonly<Record<KybState, string>> = {
  draft: "kyb.reopened",
  submitted: "kyb.submitted",
  in_review: "kyb.review_started",
  approved: "kyb.approved",
  rejected: "kyb.rejected",
  action_required: "kyb.action_required",
};

/** States whose change the merchant hears about as an event (kyb_application.<state>). */
const eventStates: readonly KybState[] = ["submitted", "approved", "rejected", "action_required"];

const decisionMails = {
  approved: kybApprovedTemplate,
  rejected: kybRejectedTemplate,
  action_required: kybActionRequiredTemplate,
} as const;

/**
 * Moves an application (locked by the caller) from its state to `to`. Returns false when the state machine does
 * not allow it. `linkBase` is where mail links point.
 */
export async function transitionKyb(
  tx: Queryable,
  deps: TransitionDeps,
  row: KybRow,
  to: KybState,
  actor: TransitionActor,
  reasons: string[],
  linkBase: string,
): Promise<KybApplication | null> {
  if (!kybTransitions[row.state].includes(to)) return null;
  const now = deps.clock.now();
  const decided = to === "approved" || to === "rejected" || to === "action_required";
  const updated = await tx.query<KybRow>(
    `UPDATE kyb_applications
        SET state = $3, updated_at = $4,
            submitted_at = CASE WHEN $3 = 'submitted' THEN $4 ELSE submitted_at END,
            decided_at = CASE WHEN $5 THEN $4 ELSE decided_at END
      WHERE id = $1 AND state = $2 RETURNING *`,
    [row.id, row.state, to, now, decided],
  );
  const next = updated.rows[0];
  if (!next) return null;
  await tx.query(
    `INSERT INTO kyb_state_changes (application_id, from_state, to_state, actor_type, actor_id, reasons, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [row.id, row.state, to, actor.type, actor.id, JSON.stringify(reasons), now],
  );
  const app = await loadApplication(tx, next);
  const auditActor: AuditActorType = actor.type;
  await appendAudit(
    tx,
    {
      actorType: auditActor,
      actorId: actor.id,
      merchantId: row.merchant_id,
      action: auditActions[to],
      targetType: "kyb_application",
      targetId: row.id,
      ip: actor.ip ?? null,
      details: { from: row.state, to, reasons },
    },
    now,
  );
  if (eventStates.includes(to)) {
    // KYB belongs to no mode; its events are test-mode events, where every merchant has endpoints from day one.
    await recordEvent(
      tx,
      {
        type: `kyb_application.${to}`,
        merchantId: row.merchant_id,
        livemode: false,
        object: kybApplicationObject(app),
        previousAttributes: { state: row.state },
      },
      now,
    );
  }
  if (to === "approved" || to === "rejected" || to === "action_required") {
    const merchant = await tx.query<{ business_name: string }>("SELECT business_name FROM merchants WHERE id = $1", [
      row.merchant_id,
    ]);
    const businessName = merchant.rows[0]?.business_name ?? "";
    for (const contact of await merchantContacts(tx, row.merchant_id)) {
      await deps.notifications.enqueue(tx, {
        channel: "email",
        to: contact.email,
        template: decisionMails[to],
        locale: contact.locale,
        merchantId: row.merchant_id,
        vars: {
          business_name: businessName,
          reasons: reasons.map((r) => `- ${r}`).join("\n") || "-",
          link: `${linkBase}/console/${to === "approved" ? "go-live" : "kyb"}`,
        },
      });
    }
  }
  return app;
}
