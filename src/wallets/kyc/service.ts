import type { Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { ApiError } from "../../http/errors.js";
import { keysetPage, type PageRequest } from "../../http/pagination.js";
import { newId } from "../../ids.js";
import { walletKycAgeYearsMin } from "../../limits.js";
import { appendAudit } from "../../security/audit.js";
import type { Tier } from "../config.js";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import { recordWalletEvent } from "../events.js";
import type { WalletUserService } from "../users/service.js";
import { type DocumentType, type KycRow, type KycSubmission, kycFromRow, kycSubmissionJson } from "./model.js";
import { type KycDecision, kycProviderFor } from "./provider.js";

/**
 * Identity verification raises a wallet user's tier: level 1 (name, ID number, date of birth) gives tier 1,
 * level 2 (an identity document) gives tier 2. A provider decides at once or hands the submission to the operator
 * review queue; one submission per wallet user waits there at a time.
 */
export interface KycInput {
  level: 1 | 2;
  fullName?: string;
  idNumber?: string;
  dateOfBirth?: string;
  documentType?: DocumentType;
  documentNumber?: string;
  documentCountry?: string;
}

export interface KycReviewItem {
  submission: KycSubmission;
  idNumber: string | null;
  dateOfBirth: string | null;
  documentNumber: string | null;
}

const aad = (field: string, id: string) => `wallet_kyc_submissions.${field}:${id}`;

/** Whole years between a yyyy-mm-dd birth date and `now`; undefined for a date that does not exist. */
export function ageOn(dateOfBirth: string, now: Date): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(dateOfBirth);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  let age = now.getUTCFullYear() - year;
  const beforeBirthday = now.getUTCMonth() < month - 1 || (now.getUTCMonth() === month - 1 && now.getUTCDate() < day);
  if (beforeBirthday) age--;
  return age;
}

export type WalletKyc = ReturnType<typeof createWalletKyc>;

export function createWalletKyc(deps: WalletDeps & { users: WalletUserService }) {
  const { pool, clock, secrets } = deps;

  function required(value: string | undefined, param: string): string {
    if (value === undefined || value.trim() === "") {
      throw new ApiError("parameter_missing", `Missing required parameter: ${param}.`, param);
    }
    return value.trim();
  }

  async function hasPending(db: Queryable, userId: string): Promise<boolean> {
    const found = await db.query(
      "SELECT 1 FROM wallet_kyc_submissions WHERE wallet_user_id = $1 AND status = 'pending_review'",
      [userId],
    );
    return (found.rowCount ?? 0) > 0;
  }

  function assertLevelOpen(level: 1 | 2, tier: Tier): void {
    if (level === 1 && tier >= 1) {
      throw walletError("kyc_level_unavailable", "This wallet's identity is verified already.", "level");
    }
    if (level === 2 && tier !== 1) {
      throw walletError(
        "kyc_level_unavailable",
        tier < 1 ? "Verify level 1 (name, ID number, date of birth) first." : "Level 2 is verified already.",
        "level",
      );
    }
  }

  async function submit(userId: string, input: KycInput): Promise<KycSubmission> {
    const user = await deps.users.get(userId);
    const now = clock.now();
    assertLevelOpen(input.level, user.tier);
    if (await hasPending(pool, user.id)) throw walletError("kyc_submission_pending");
    let check: KycInput;
    let decision: KycDecision;
    if (input.level === 1) {
      check = {
        level: 1,
        fullName: required(input.fullName, "full_name"),
        idNumber: required(input.idNumber, "id_number"),
        dateOfBirth: required(input.dateOfBirth, "date_of_birth"),
      };
      const age = ageOn(check.dateOfBirth!, now);
      if (age === undefined || age < 0 || age > 150) {
        throw new ApiError("parameter_invalid", "date_of_birth must be a real date, yyyy-mm-dd.", "date_of_birth");
      }
      decision =
        age < walletKycAgeYearsMin
          ? { decision: "rejected", reason: "underage" }
          : await kycProviderFor(user.livemode, deps.config.kycProvider).check(check);
    } else {
      check = {
        level: 2,
        documentType: input.documentType,
        documentNumber: required(input.documentNumber, "document_number"),
        documentCountry: required(input.documentCountry, "document_country"),
      };
      if (!input.documentType)
        throw new ApiError("parameter_missing", "Missing required parameter: document_type.", "document_type");
      decision = await kycProviderFor(user.livemode, deps.config.kycProvider).check(check);
    }
    const provider = kycProviderFor(user.livemode, deps.config.kycProvider).name;
    const id = newId("kyc");
    const status = decision.decision === "review" ? "pending_review" : decision.decision;
    const encrypt = async (field: string, value: string | undefined) =>
      value === undefined ? null : secrets.encrypt(value, aad(field, id));
    const [idNumber, dateOfBirth, documentNumber] = await Promise.all([
      encrypt("id_number", check.idNumber),
      encrypt("date_of_birth", check.dateOfBirth),
      encrypt("document_number", check.documentNumber),
    ]);

    return withTransaction(pool, async (tx) => {
      // One decision per wallet user at a time: the tier and the queue are read again under the user's row lock.
      const locked = await tx.query<{ tier: number }>("SELECT tier FROM wallet_users WHERE id = $1 FOR UPDATE", [
        user.id,
      ]);
      assertLevelOpen(input.level, (locked.rows[0]?.tier ?? 0) as Tier);
      if (await hasPending(tx, user.id)) throw walletError("kyc_submission_pending");
      const inserted = await tx.query<KycRow>(
        `INSERT INTO wallet_kyc_submissions (id, wallet_user_id, livemode, level, provider, status, full_name, id_number,
                                             id_number_last4, date_of_birth, document_type, document_number,
                                             document_country, decision_reason, reviewed_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
         ON CONFLICT DO NOTHING RETURNING *`,
        [
          id,
          user.id,
          user.livemode,
          check.level,
          provider,
          status,
          check.fullName ?? null,
          idNumber,
          check.idNumber ? check.idNumber.slice(-4) : null,
          dateOfBirth,
          check.documentType ?? null,
          documentNumber,
          check.documentCountry ?? null,
          decision.decision === "rejected" ? decision.reason : null,
          status === "pending_review" ? null : now,
          now,
        ],
      );
      if (!inserted.rows[0]) throw walletError("kyc_submission_pending");
      const submission = kycFromRow(inserted.rows[0]);
      await recordWalletEvent(tx, user, "kyc_submission.created", kycSubmissionJson(submission), now);
      await applyDecision(tx, submission, now);
      return submission;
    });
  }

  /** After a decision: the event, and the tier when approved. */
  async function applyDecision(tx: Queryable, submission: KycSubmission, now: Date): Promise<void> {
    if (submission.status === "pending_review") return;
    const user = { id: submission.walletUserId, livemode: submission.livemode };
    if (submission.status === "approved") {
      await deps.users.raiseTier(tx, submission.walletUserId, submission.level as Tier, submission.fullName);
      await recordWalletEvent(tx, user, "kyc_submission.approved", kycSubmissionJson(submission), now, {
        status: "pending_review",
      });
    } else {
      await recordWalletEvent(tx, user, "kyc_submission.rejected", kycSubmissionJson(submission), now, {
        status: "pending_review",
      });
    }
  }

  async function listForUser(userId: string): Promise<KycSubmission[]> {
    const result = await pool.query<KycRow>(
      "SELECT * FROM wallet_kyc_submissions WHERE wallet_user_id = $1 ORDER BY created_at DESC, id DESC",
      [userId],
    );
    return result.rows.map(kycFromRow);
  }

  async function reveal(submission: KycSubmission): Promise<KycReviewItem> {
    const open = (field: string, token: string | null) =>
      token === null ? null : secrets.decryptString(token, aad(field, submission.id));
    const [idNumber, dateOfBirth, documentNumber] = await Promise.all([
      open("id_number", submission.encrypted.idNumber),
      open("date_of_birth", submission.encrypted.dateOfBirth),
      open("document_number", submission.encrypted.documentNumber),
    ]);
    return { submission, idNumber, dateOfBirth, documentNumber };
  }

  /** The operator review queue, oldest first, with the details a reviewer needs. */
  async function reviewQueue(query: {
    limit: number;
    startingAfter?: string;
  }): Promise<{ items: KycReviewItem[]; hasMore: boolean }> {
    const page: PageRequest = {
      limit: query.limit,
      cursor: query.startingAfter === undefined ? undefined : { direction: "after", id: query.startingAfter },
    };
    const rows = await keysetPage<KycRow>(pool, page, {
      from: "wallet_kyc_submissions",
      scope: "TRUE",
      filter: "status = 'pending_review'",
      params: [],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "asc",
    });
    return { items: await Promise.all(rows.data.map((row) => reveal(kycFromRow(row)))), hasMore: rows.has_more };
  }

  /** An operator's decision on a submission in the review queue. */
  async function decide(
    actor: { operatorId: string; ip: string | null },
    submissionId: string,
    approve: boolean,
    reason: string | null,
  ): Promise<KycSubmission> {
    const now = clock.now();
    return withTransaction(pool, async (tx) => {
      const found = await tx.query<KycRow>("SELECT * FROM wallet_kyc_submissions WHERE id = $1 FOR UPDATE", [
        submissionId,
      ]);
      if (!found.rows[0]) throw new ApiError("resource_not_found", "No such identity submission.", "id");
      if (found.rows[0].status !== "pending_review") throw walletError("kyc_submission_not_pending");
      const updated = await tx.query<KycRow>(
        `UPDATE wallet_kyc_submissions SET status = $2, decision_reason = $3, reviewed_by = $4, reviewed_at = $5,
                updated_at = $5 WHERE id = $1 RETURNING *`,
        [submissionId, approve ? "approved" : "rejected", reason, actor.operatorId, now],
      );
      const submission = kycFromRow(updated.rows[0]!);
      await applyDecision(tx, submission, now);
      await appendAudit(
        tx,
        {
          actorType: "operator",
          actorId: actor.operatorId,
          merchantId: null,
          action: approve ? "kyc_submission.approved" : "kyc_submission.rejected",
          targetType: "kyc_submission",
          targetId: submissionId,
          ip: actor.ip,
          details: { wallet_user: submission.walletUserId, level: submission.level, reason },
        },
        now,
      );
      return submission;
    });
  }

  return { submit, listForUser, reviewQueue, decide, reveal };
}
