import type { Queryable } from "../../db/pool.js";
import type { Contact } from "./contacts.js";
import { type WalletUser, type WalletUserRow, walletUserFromRow } from "./model.js";

/** Reads of wallet_users shared by the wallet services. */

export async function getWalletUser(db: Queryable, id: string, lock = false): Promise<WalletUser | undefined> {
  const result = await db.query<WalletUserRow>(`SELECT * FROM wallet_users WHERE id = $1${lock ? " FOR UPDATE" : ""}`, [
    id,
  ]);
  return result.rows[0] ? walletUserFromRow(result.rows[0]) : undefined;
}

export async function findWalletUserByContact(
  db: Queryable,
  livemode: boolean,
  contact: Contact,
): Promise<WalletUser | undefined> {
  const column = contact.kind === "email" ? "email" : "phone";
  const result = await db.query<WalletUserRow>(`SELECT * FROM wallet_users WHERE livemode = $1 AND ${column} = $2`, [
    livemode,
    contact.value,
  ]);
  return result.rows[0] ? walletUserFromRow(result.rows[0]) : undefined;
}

/** The contact messages go to: email when the user has one, else SMS. */
export function messageTarget(user: WalletUser): { channel: "email" | "sms"; to: string } {
  return user.email ? { channel: "email", to: user.email } : { channel: "sms", to: user.phone ?? "" };
}
