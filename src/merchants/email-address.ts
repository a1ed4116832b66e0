import { emailLengthMax } from "../limits.js";

/**
 * Email addresses as the platform keeps them: trimmed and lower-cased (mailboxes are case-insensitive in practice,
 * and one person must not get two accounts by capitalising differently). The check is deliberately plain: one @,
 * a local part, a dotted domain, no spaces or control characters. Whether the mailbox exists is what the
 * verification link proves.
 */
const emailPattern =
  /^[^\s@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  if (email.length < 3 || email.length > emailLengthMax) return null;
  if (!emailPattern.test(email)) return null;
  // A control character anywhere would let a value inject mail headers.
  for (const char of email) if (char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f) return null;
  const [local] = email.split("@");
  if (!local || local.length > 64) return null;
  return email;
}
