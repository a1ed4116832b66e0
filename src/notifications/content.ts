import type { Queryable } from "../db/pool.js";
import type { SecretBox } from "../security/encryption.js";

/**
 * What a message says. It may carry a one-time secret (a verification or reset link, an invite, a wallet code), so
 * it is stored only encrypted under the data-key envelope (src/security/encryption.ts), bound to its message's id:
 * a ciphertext copied to another row does not decrypt.
 */
export interface MessageContent {
  subject: string | null;
  text: string;
  html: string | null;
}

const aadOf = (messageId: string) => `outbound_messages.content_enc:${messageId}`;

/** Encrypts in memory; tx is read only when the active data key is not loaded yet (secrets.warm() loads it). */
export async function sealContent(
  secrets: SecretBox,
  messageId: string,
  content: MessageContent,
  tx?: Queryable,
): Promise<string> {
  return secrets.encrypt(JSON.stringify(content), aadOf(messageId), tx);
}

export async function openContent(secrets: SecretBox, messageId: string, sealed: string): Promise<MessageContent> {
  return JSON.parse(await secrets.decryptString(sealed, aadOf(messageId))) as MessageContent;
}
