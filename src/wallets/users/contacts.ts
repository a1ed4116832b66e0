import { walletError } from "../errors.js";

/**
 * How a wallet user is reached and found: an email address or a phone number (E.164). Emails are compared in
 * lower case; phone numbers must be sent in international form already (coffer does not guess country codes).
 */
export type Contact = { kind: "email"; value: string } | { kind: "phone"; value: string };

const emailPattern = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\]]+\.[^\s@"<>(),;:\\[\]]{2,}$/;
const phonePattern = /^\+[1-9][0-9]{6,14}$/;
const emailLengthMax = 254;

export function parseEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  return value.length <= emailLengthMax && emailPattern.test(value) ? value : undefined;
}

export function parsePhone(raw: string): string | undefined {
  const value = raw.replace(/[\s().-]/g, "");
  return phonePattern.test(value) ? value : undefined;
}

/** Exactly one of email and phone, well-formed; else 400 contact_invalid naming the field. */
export function parseContact(input: { email?: string; phone?: string }): Contact {
  if (input.email !== undefined && input.phone !== undefined) {
    throw walletError("contact_invalid", "Send an email address or a phone number, not both.", "phone");
  }
  if (input.email !== undefined) {
    const value = parseEmail(input.email);
    if (!value) throw walletError("contact_invalid", "The email address is not valid.", "email");
    return { kind: "email", value };
  }
  if (input.phone !== undefined) {
    const value = parsePhone(input.phone);
    if (!value) {
      throw walletError("contact_invalid", "The phone number must be in E.164 form, like +8613800138000.", "phone");
    }
    return { kind: "phone", value };
  }
  throw walletError("contact_invalid", "Send an email address or a phone number.", "email");
}

export function channelOf(contact: Contact): "email" | "sms" {
  return contact.kind === "email" ? "email" : "sms";
}

/** For showing where a code went, or who a transfer came from, without revealing it: j•••@example.com, •••• 5678. */
export function maskContact(value: string): string {
  if (value.includes("@")) {
    const [local = "", domain = ""] = value.split("@");
    return `${local.slice(0, 1)}•••@${domain}`;
  }
  return `•••• ${value.slice(-4)}`;
}
