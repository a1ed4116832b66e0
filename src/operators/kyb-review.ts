import type { Clock } from "../clock.js";
import type { Pool } from "../db/pool.js";
import { withTransaction } from "../db/tx.js";
import { keysetPage, type ListPage, mapPage, type PageRequest } from "../http/pagination.js";
import {
  documentAad,
  type KybRow,
  kybAad,
  kybApplicationObject,
  kybDocumentObject,
  kybRowById,
  loadApplication,
  transitionKyb,
} from "../merchants/kyb-records.js";
import { fail, type KybDocument, type KybState, ok, type Result } from "../merchants/model.js";
import type { NotificationService } from "../notifications/service.js";
import type { SecretBox } from "../security/encryption.js";

/**
 * The KYB review queue: list applications by state, open one with its documents, and decide. A decision on a
 * submitted application first moves it to in_review (recorded with the same operator), so the history always
 * follows draft → submitted → in_review → approved | rejected | action_required. Every decision mails the
 * merchant's owner and admins (see transitionKyb). Reviewers see the bank account and ID numbers in full and can
 * download documents; support staff see the last four characters only.
 */
export type ReviewDecision = "start_review" | "approve" | "reject" | "request_info";

const decisionTarget: Readonly<Record<ReviewDecision, KybState>> = {
  start_review: "in_review",
  approve: "approved",
  reject: "rejected",
  request_info: "action_required",
};

interface SummaryRow {
  id: string;
  merchant_id: string;
  business_name: string;
  state: KybState;
  legal_name: string | null;
  country: string | null;
  submitted_at: Date | null;
  updated_at: Date;
}

const unix = (date: Date | null) => (date ? Math.floor(date.getTime() / 1000) : null);

export function kybSummaryObject(row: SummaryRow) {
  return {
    id: row.id,
    object: "kyb_application_summary" as const,
    merchant: row.merchant_id,
    business_name: row.business_name,
    state: row.state,
    legal_name: row.legal_name,
    country: row.country,
    submitted_at: unix(row.submitted_at),
    updated: unix(row.updated_at)!,
  };
}

export type KybReview = ReturnType<typeof createKybReview>;

export function createKybReview(deps: {
  pool: Pool;
  clock: Clock;
  secrets: SecretBox;
  notifications: NotificationService;
}) {
  /** Oldest change first: the queue is worked from the front. */
  async function list(
    filter: { state?: KybState },
    page: PageRequest,
  ): Promise<ListPage<ReturnType<typeof kybSummaryObject>>> {
    const rows = await keysetPage<SummaryRow>(deps.pool, page, {
      from: `(SELECT k.id, k.merchant_id, m.business_name, k.state, k.legal_name, k.country, k.submitted_at, k.updated_at
                FROM kyb_applications k JOIN merchants m ON m.id = k.merchant_id) AS q`,
      scope: "TRUE",
      filter: "$1::text IS NULL OR state = $1",
      params: [filter.state ?? null],
      idColumn: "id",
      sortColumns: ["updated_at", "id"],
      order: "asc",
    });
    return mapPage(rows, kybSummaryObject);
  }

  async function open(id: string, options: { sensitive: boolean }) {
    const row = await kybRowById(deps.pool, id);
    if (!row) return undefined;
    return view(row, options);
  }

  async function view(row: KybRow, options: { sensitive: boolean }) {
    const app = await loadApplication(deps.pool, row);
    const merchant = await deps.pool.query<{ business_name: string }>(
      "SELECT business_name FROM merchants WHERE id = $1",
      [row.merchant_id],
    );
    const base = kybApplicationObject(app);
    const reveal = async (column: "representative_id_number_enc" | "bank_account_number_enc") => {
      const sealed = row[column];
      return options.sensitive && sealed ? deps.secrets.decryptString(sealed, kybAad(column, row.id)) : null;
    };
    return {
      ...base,
      business_name: merchant.rows[0]?.business_name ?? "",
      representative: { ...base.representative, id_number: await reveal("representative_id_number_enc") },
      bank_account: { ...base.bank_account, account_number: await reveal("bank_account_number_enc") },
    };
  }

  async function document(
    applicationId: string,
    documentId: string,
  ): Promise<{ document: ReturnType<typeof kybDocumentObject>; content: Buffer } | undefined> {
    const result = await deps.pool.query<{
      id: string;
      type: KybDocument["type"];
      content_type: KybDocument["contentType"];
      size_bytes: number;
      filename: string | null;
      uploaded_by: string;
      created_at: Date;
      content_enc: string;
    }>(
      `SELECT id, type, content_type, size_bytes, filename, uploaded_by, created_at, content_enc FROM kyb_documents
        WHERE id = $1 AND application_id = $2 AND deleted_at IS NULL`,
      [documentId, applicationId],
    );
    const row = result.rows[0];
    if (!row) return undefined;
    const content = await deps.secrets.decrypt(row.content_enc, documentAad(row.id));
    return {
      document: kybDocumentObject({
        id: row.id,
        type: row.type,
        contentType: row.content_type,
        sizeBytes: row.size_bytes,
        filename: row.filename,
        uploadedBy: row.uploaded_by,
        createdAt: row.created_at,
      }),
      content,
    };
  }

  async function decide(
    actor: { operatorId: string; ip: string | null; sensitive: boolean },
    id: string,
    decision: ReviewDecision,
    reasons: string[],
    linkBase: string,
  ): Promise<Result<Awaited<ReturnType<typeof view>>, "resource_not_found" | "kyb_transition_invalid">> {
    const moved = await withTransaction(
      deps.pool,
      async (tx): Promise<Result<KybRow, "resource_not_found" | "kyb_transition_invalid">> => {
        let row = await kybRowById(tx, id, true);
        if (!row) return fail("resource_not_found");
        const who = { type: "operator" as const, id: actor.operatorId, ip: actor.ip };
        if (row.state === "submitted" && decision !== "start_review") {
          const started = await transitionKyb(tx, deps, row, "in_review", who, [], linkBase);
          if (!started) return fail("kyb_transition_invalid");
          row = (await kybRowById(tx, id, true))!;
        }
        const target = decisionTarget[decision];
        const done = await transitionKyb(tx, deps, row, target, who, reasons, linkBase);
        if (!done) {
          return fail("kyb_transition_invalid", `A ${row.state} application cannot move to ${target}.`);
        }
        return ok((await kybRowById(tx, id))!);
      },
    );
    if (!moved.ok) return moved;
    deps.notifications.kick();
    return ok(await view(moved.value, { sensitive: actor.sensitive }));
  }

  return { list, open, document, decide };
}
