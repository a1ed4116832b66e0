import type { Queryable } from "../db/pool.js";
import type { Locale } from "../notifications/templates.js";
import type { ConsoleRole, Membership, MerchantUser } from "./model.js";

/** Reading console users and their memberships (the rows every console service needs). */

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  name: string | null;
  locale: Locale;
  email_verified_at: Date | null;
  totp_enabled_at: Date | null;
  locked_until: Date | null;
  created_at: Date;
  passkeys: number;
}

const userColumns = `u.id, u.email, u.password_hash, u.name, u.locale, u.email_verified_at, u.totp_enabled_at,
  u.locked_until, u.created_at,
  (SELECT count(*)::int FROM webauthn_credentials c WHERE c.user_id = u.id) AS passkeys`;

export async function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const result = await db.query<UserRow>(`SELECT ${userColumns} FROM merchant_users u WHERE u.email = $1`, [email]);
  return result.rows[0];
}

export async function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const result = await db.query<UserRow>(`SELECT ${userColumns} FROM merchant_users u WHERE u.id = $1`, [id]);
  return result.rows[0];
}

export function userFromRow(row: UserRow): MerchantUser {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    locale: row.locale,
    emailVerifiedAt: row.email_verified_at,
    totpEnabled: row.totp_enabled_at !== null,
    passkeys: row.passkeys,
    createdAt: row.created_at,
  };
}

/** Two-factor is on when the user has an authenticator app or at least one passkey. */
export function hasSecondFactor(row: Pick<UserRow, "totp_enabled_at" | "passkeys">): boolean {
  return row.totp_enabled_at !== null || row.passkeys > 0;
}

/** The user's memberships, the owned merchant first, then oldest first. */
export async function membershipsOf(db: Queryable, userId: string): Promise<Membership[]> {
  const result = await db.query<{ merchant_id: string; business_name: string; role: ConsoleRole }>(
    `SELECT m.merchant_id, mer.business_name, m.role
       FROM merchant_members m JOIN merchants mer ON mer.id = m.merchant_id
      WHERE m.user_id = $1
      ORDER BY (m.role = 'owner') DESC, m.created_at, m.merchant_id`,
    [userId],
  );
  return result.rows.map((r) => ({ merchantId: r.merchant_id, businessName: r.business_name, role: r.role }));
}

/** Users of a merchant who receive its business mail (KYB decisions): owner and admins with a verified email. */
export async function merchantContacts(
  db: Queryable,
  merchantId: string,
): Promise<{ userId: string; email: string; locale: Locale }[]> {
  const result = await db.query<{ id: string; email: string; locale: Locale }>(
    `SELECT u.id, u.email, u.locale
       FROM merchant_members m JOIN merchant_users u ON u.id = m.user_id
      WHERE m.merchant_id = $1 AND m.role IN ('owner', 'admin') AND u.email_verified_at IS NOT NULL
      ORDER BY (m.role = 'owner') DESC, m.created_at`,
    [merchantId],
  );
  return result.rows.map((r) => ({ userId: r.id, email: r.email, locale: r.locale }));
}
