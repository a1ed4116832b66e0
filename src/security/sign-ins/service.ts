import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../../clock.js";
import type { Pool, Queryable } from "../../db/pool.js";
import { withTransaction } from "../../db/tx.js";
import { keysetPage, type ListPage, type PageRequest } from "../../http/pagination.js";
import { newId } from "../../ids.js";
import {
  deviceTokenLengthMax,
  sessionIdleTimeoutMs,
  signInDevicesKeptMs,
  signInDevicesListedMax,
  signInReportLinkTtlMs,
  signInsKeptMs,
  walletSessionIdleTimeoutMs,
} from "../../limits.js";
import type { Channel, NotificationService } from "../../notifications/service.js";
import type { Locale, MessageTemplate } from "../../notifications/templates.js";
import { appendAudit } from "../audit.js";
import { summarizeAgent } from "./agent.js";

/**
 * Sign-in security for people (docs/security-centre.md): which devices a wallet or console user signs in from, a
 * record of each sign-in, and an alert with a "this wasn't me" link when a sign-in comes from a device the account
 * has not used before.
 *
 * A device is a random token the client keeps (the console's in an HttpOnly cookie, the wallet app's beside its
 * session) and sends with its next sign-in; never an IP address. Only the token's SHA-256 is stored. The first
 * sign-in of an account (nothing known yet) records its device without an alert.
 *
 * The alert is queued in the sign-in's own transaction (the outbox of src/notifications, content encrypted), with a
 * single-use link whose token is stored hashed. Following it runs the subject's handler (the wallet: every session
 * ended, payments frozen until a password reset; the console: every session ended, a new password required) in one
 * transaction with marking the link used and an audit record, so it happens once.
 */
export type SubjectType = "wallet_user" | "merchant_user";

export interface Subject {
  type: SubjectType;
  id: string;
}

export const deviceTokenPrefix = "dvt_";
const deviceTokenPattern = /^dvt_[A-Za-z0-9_-]{43}$/;

export interface AlertTarget {
  channel: Channel;
  to: string;
  locale: Locale;
  template: MessageTemplate;
  /** Template variables besides when, device, ip, link and days. */
  vars?: Record<string, string>;
  /** The page the "this wasn't me" link opens, given the link's token. */
  link(token: string): string;
  merchantId?: string | null;
  walletUserId?: string | null;
}

export interface SignInInput {
  subject: Subject;
  /** The device token the client sent back, if any; a malformed one counts as none. */
  deviceToken: string | null | undefined;
  /** The session this sign-in opened (wallet_sessions or console_sessions, by subject type). */
  sessionId: string;
  method: string;
  ip: string | null;
  userAgent: string | null;
  /** Where an alert goes; null never alerts (the sign-in that completes a new account's sign-up). */
  alert: AlertTarget | null;
}

export interface SignInOutcome {
  signInId: string;
  deviceId: string;
  /** The token the client keeps for this device: the one it sent, or a new one. */
  deviceToken: string;
  newDevice: boolean;
  alerted: boolean;
}

export interface Device {
  id: string;
  agentSummary: string;
  lastIp: string | null;
  createdAt: Date;
  lastSignInAt: Date;
  signedIn: boolean;
  /** Whether the request asking came from this device. */
  current: boolean;
}

export interface SignIn {
  id: string;
  deviceId: string;
  method: string;
  newDevice: boolean;
  alerted: boolean;
  agentSummary: string;
  ip: string | null;
  createdAt: Date;
}

interface DeviceRow {
  id: string;
  agent_summary: string;
  last_ip: string | null;
  created_at: Date;
  last_sign_in_at: Date;
  signed_in: boolean;
  current: boolean;
}

interface SignInRow {
  id: string;
  device_id: string;
  method: string;
  new_device: boolean;
  alerted: boolean;
  agent_summary: string;
  ip: string | null;
  created_at: Date;
}

/** What following a "this wasn't me" link does to one kind of subject, in the link's transaction. */
export interface ReportHandler {
  secure(tx: Queryable, subjectId: string, at: Date, ip: string | null): Promise<{ merchantId: string | null }>;
  /** After the commit: forget what this process remembers (cached sessions). */
  afterCommit?(subjectId: string): void;
}

export type ReportFailure = "link_invalid" | "link_expired";

/** Where each subject type's sessions are. */
const sessionTables: Record<SubjectType, string> = {
  wallet_user: "wallet_sessions",
  merchant_user: "console_sessions",
};

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

function newDeviceToken(): string {
  return `${deviceTokenPrefix}${randomBytes(32).toString("base64url")}`;
}

/** A device token worth looking up: ours have a fixed form, anything else is ignored (a new device). */
export function wellFormedDeviceToken(token: string | null | undefined): token is string {
  return typeof token === "string" && token.length <= deviceTokenLengthMax && deviceTokenPattern.test(token);
}

function formatUtc(at: Date): string {
  return at.toISOString().slice(0, 16).replace("T", " ");
}

export type SignInService = ReturnType<typeof createSignInService>;

export function createSignInService(deps: { pool: Pool; clock: Clock; notifications: NotificationService }) {
  const handlers = new Map<SubjectType, ReportHandler>();

  /** Registers what a report does to a subject type (the wallet and the console register theirs at start). */
  function onReport(type: SubjectType, handler: ReportHandler): void {
    handlers.set(type, handler);
  }

  /**
   * Records a sign-in in the caller's transaction (the one that opened the session): recognises or registers the
   * device, ties the session to it, and queues the alert when the device is new to an account that had others.
   * The caller kicks delivery after its commit (notifications.kick()).
   */
  async function record(tx: Queryable, input: SignInInput): Promise<SignInOutcome> {
    const now = deps.clock.now();
    const { subject } = input;
    const agentSummary = summarizeAgent(input.userAgent);
    const deviceToken = wellFormedDeviceToken(input.deviceToken) ? input.deviceToken : newDeviceToken();
    const tokenHash = sha256(deviceToken);
    const known = await tx.query<{ id: string }>(
      `UPDATE sign_in_devices SET last_sign_in_at = $4, last_ip = $5, agent_summary = $6
        WHERE subject_type = $1 AND subject_id = $2 AND token_hash = $3 RETURNING id`,
      [subject.type, subject.id, tokenHash, now, input.ip, agentSummary],
    );
    let deviceId = known.rows[0]?.id;
    let newDevice = deviceId === undefined;
    let hadDevices = true;
    if (deviceId === undefined) {
      const others = await tx.query(
        "SELECT 1 FROM sign_in_devices WHERE subject_type = $1 AND subject_id = $2 LIMIT 1",
        [subject.type, subject.id],
      );
      hadDevices = others.rowCount === 1;
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO sign_in_devices (id, subject_type, subject_id, token_hash, agent_summary, last_ip, created_at,
                                      last_sign_in_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
         ON CONFLICT (subject_type, subject_id, token_hash) DO NOTHING RETURNING id`,
        [newId("dev"), subject.type, subject.id, tokenHash, agentSummary, input.ip, now],
      );
      deviceId = inserted.rows[0]?.id;
      if (deviceId === undefined) {
        // A sign-in from the same device committed in between: it is known now.
        const raced = await tx.query<{ id: string }>(
          `UPDATE sign_in_devices SET last_sign_in_at = $4, last_ip = $5, agent_summary = $6
            WHERE subject_type = $1 AND subject_id = $2 AND token_hash = $3 RETURNING id`,
          [subject.type, subject.id, tokenHash, now, input.ip, agentSummary],
        );
        deviceId = raced.rows[0]!.id;
        newDevice = false;
      }
    }
    const alerted = newDevice && hadDevices && input.alert !== null;
    const signInId = newId("sgn");
    await tx.query(
      `INSERT INTO sign_ins (id, subject_type, subject_id, device_id, session_id, method, new_device, alerted,
                             agent_summary, ip, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        signInId,
        subject.type,
        subject.id,
        deviceId,
        input.sessionId,
        input.method,
        newDevice,
        alerted,
        agentSummary,
        input.ip,
        now,
      ],
    );
    await tx.query(`UPDATE ${sessionTables[subject.type]} SET device_id = $2 WHERE id = $1`, [
      input.sessionId,
      deviceId,
    ]);
    if (alerted && input.alert) {
      const reportToken = randomBytes(32).toString("base64url");
      await tx.query(
        `INSERT INTO sign_in_reports (token_hash, sign_in_id, subject_type, subject_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [sha256(reportToken), signInId, subject.type, subject.id, now, new Date(now.getTime() + signInReportLinkTtlMs)],
      );
      const target = input.alert;
      await deps.notifications.enqueue(tx, {
        channel: target.channel,
        to: target.to,
        template: target.template,
        locale: target.locale,
        merchantId: target.merchantId ?? null,
        walletUserId: target.walletUserId ?? null,
        vars: {
          ...target.vars,
          when: formatUtc(now),
          device: agentSummary,
          ip: input.ip ?? "-",
          link: target.link(reportToken),
          days: String(signInReportLinkTtlMs / 86_400_000),
        },
      });
    }
    return { signInId, deviceId, deviceToken, newDevice, alerted };
  }

  /**
   * Follows a "this wasn't me" link of a subject type: once. An unknown or used link is link_invalid, an expired
   * one link_expired; neither changes anything. The subject's handler, the link's use and the audit record commit
   * together.
   */
  async function report(
    type: SubjectType,
    token: string,
    ip: string | null,
  ): Promise<{ ok: true; subjectId: string; signInId: string } | { ok: false; code: ReportFailure }> {
    const handler = handlers.get(type);
    if (!handler) throw new Error(`no report handler for ${type}`);
    const now = deps.clock.now();
    const outcome = await withTransaction(deps.pool, async (tx) => {
      const found = await tx.query<{ sign_in_id: string; subject_id: string; expires_at: Date; used_at: Date | null }>(
        `SELECT sign_in_id, subject_id, expires_at, used_at FROM sign_in_reports
          WHERE token_hash = $1 AND subject_type = $2 FOR UPDATE`,
        [sha256(token), type],
      );
      const row = found.rows[0];
      if (!row || row.used_at !== null) return { ok: false as const, code: "link_invalid" as const };
      if (row.expires_at.getTime() <= now.getTime()) return { ok: false as const, code: "link_expired" as const };
      await tx.query("UPDATE sign_in_reports SET used_at = $2 WHERE token_hash = $1", [sha256(token), now]);
      const { merchantId } = await handler.secure(tx, row.subject_id, now, ip);
      await appendAudit(
        tx,
        {
          actorType: type,
          actorId: row.subject_id,
          merchantId,
          action: "sign_in.reported_not_me",
          targetType: "sign_in",
          targetId: row.sign_in_id,
          ip,
        },
        now,
      );
      return { ok: true as const, subjectId: row.subject_id, signInId: row.sign_in_id };
    });
    if (outcome.ok) handler.afterCommit?.(outcome.subjectId);
    return outcome;
  }

  /**
   * The subject's devices, most recently signed in first, with whether a session of each is live now and which
   * one the asking session was opened on.
   */
  async function devices(subject: Subject, currentSessionId: string | null): Promise<Device[]> {
    const now = deps.clock.now();
    const idleMs = subject.type === "wallet_user" ? walletSessionIdleTimeoutMs : sessionIdleTimeoutMs;
    const live = `EXISTS (SELECT 1 FROM ${sessionTables[subject.type]} s WHERE s.device_id = d.id
                    AND s.revoked_at IS NULL AND s.expires_at > $3 AND s.last_seen_at > $4)`;
    const result = await deps.pool.query<DeviceRow>(
      `SELECT d.id, d.agent_summary, d.last_ip, d.created_at, d.last_sign_in_at, ${live} AS signed_in,
              d.id IS NOT DISTINCT FROM (SELECT device_id FROM ${sessionTables[subject.type]} WHERE id = $6) AS current
         FROM sign_in_devices d WHERE d.subject_type = $1 AND d.subject_id = $2
        ORDER BY d.last_sign_in_at DESC, d.id DESC LIMIT $5`,
      [subject.type, subject.id, now, new Date(now.getTime() - idleMs), signInDevicesListedMax, currentSessionId],
    );
    return result.rows.map((row) => ({
      id: row.id,
      agentSummary: row.agent_summary,
      lastIp: row.last_ip,
      createdAt: row.created_at,
      lastSignInAt: row.last_sign_in_at,
      signedIn: row.signed_in,
      current: row.current === true,
    }));
  }

  /** Whether the device is the subject's (another subject's device and an unknown id are alike: false). */
  async function ownsDevice(db: Queryable, subject: Subject, deviceId: string): Promise<boolean> {
    const result = await db.query(
      "SELECT 1 FROM sign_in_devices WHERE id = $1 AND subject_type = $2 AND subject_id = $3",
      [deviceId, subject.type, subject.id],
    );
    return result.rowCount === 1;
  }

  /** The subject's recent sign-ins, newest first, one keyset page. */
  async function signIns(subject: Subject, page: PageRequest): Promise<ListPage<SignIn>> {
    const listed = await keysetPage<SignInRow>(deps.pool, page, {
      from: "sign_ins",
      columns: "id, device_id, method, new_device, alerted, agent_summary, ip, created_at",
      scope: "subject_type = $1 AND subject_id = $2",
      params: [subject.type, subject.id],
      idColumn: "id",
      sortColumns: ["created_at", "id"],
      order: "desc",
    });
    return {
      ...listed,
      data: listed.data.map((row) => ({
        id: row.id,
        deviceId: row.device_id,
        method: row.method,
        newDevice: row.new_device,
        alerted: row.alerted,
        agentSummary: row.agent_summary,
        ip: row.ip,
        createdAt: row.created_at,
      })),
    };
  }

  return { onReport, record, report, devices, ownsDevice, signIns };
}

/**
 * Deletes sign-ins past signInsKeptMs, devices unused for signInDevicesKeptMs, and report links and wallet
 * password resets a day past their expiry; run by the merchant-housekeeping worker.
 */
export async function purgeSignIns(db: Queryable, now: Date, batchRowsMax: number): Promise<number> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const statements: [string, Date][] = [
    [
      "DELETE FROM wallet_password_resets WHERE id IN (SELECT id FROM wallet_password_resets WHERE expires_at < $1 LIMIT $2)",
      dayAgo,
    ],
    [
      "DELETE FROM sign_in_reports WHERE token_hash IN (SELECT token_hash FROM sign_in_reports WHERE expires_at < $1 LIMIT $2)",
      dayAgo,
    ],
    [
      "DELETE FROM sign_ins WHERE id IN (SELECT id FROM sign_ins WHERE created_at < $1 LIMIT $2)",
      new Date(now.getTime() - signInsKeptMs),
    ],
    [
      "DELETE FROM sign_in_devices WHERE id IN (SELECT id FROM sign_in_devices WHERE last_sign_in_at < $1 LIMIT $2)",
      new Date(now.getTime() - signInDevicesKeptMs),
    ],
  ];
  let deleted = 0;
  for (const [sql, before] of statements) deleted += (await db.query(sql, [before, batchRowsMax])).rowCount ?? 0;
  return deleted;
}
