/** The wallet API's prepaid card objects, as these pages use them (docs/openapi.json has the full schemas). */
export interface WalletCard {
  id: string;
  object: "wallet_card";
  livemode: boolean;
  kind: "gift_card" | "voucher";
  currency: string;
  balance: string;
  last4: string;
  status: "active" | "frozen" | "expired" | "closed";
  closed_loop: boolean;
  merchant: { name: string } | null;
  expires_at: number | null;
  created: number;
}

export interface WalletCardSession {
  object: "wallet_card_session";
  token: string;
  expires_at: number;
  card: WalletCard;
}

export interface CardTransaction {
  id: string;
  type: "issue" | "load" | "payment" | "refund" | "claim" | "breakage" | "breakage_return" | "redeem" | "other";
  /** Signed: what left the card is negative. */
  amount: string;
  reference: string | null;
  created: number;
}

/** "6288 0000 0000 0001" → "6288000000000001": people type cards in groups of four. */
export function cardDigits(text: string): string {
  return text.replace(/[\s-]/g, "");
}

/** 16 digits with coffer's prefix; the Luhn check is the server's (it answers the same for any wrong number). */
export function looksLikeCardNumber(digits: string): boolean {
  return /^6288\d{12}$/.test(digits);
}

/**
 * A card's printed QR code opens /wallet/card#number=…&secret=…: the fragment never reaches a server (not even in
 * a log or a Referer header). It is read once per page load and wiped from the address bar and the history at once;
 * the page that opens the card takes it with `consume`.
 */
let fromFragment: { number: string; secret: string } | null | undefined;

export function cardFromFragment(): { number: string; secret: string } | null {
  if (fromFragment !== undefined) return fromFragment;
  fromFragment = null;
  const hash = globalThis.location?.hash ?? "";
  if (!hash.startsWith("#")) return null;
  const fields = new URLSearchParams(hash.slice(1));
  const number = fields.get("number");
  const secret = fields.get("secret");
  if (!number || !secret) return null;
  history.replaceState(history.state, "", `${location.pathname}${location.search}`);
  fromFragment = { number: cardDigits(number), secret };
  return fromFragment;
}

export function consumeCardFromFragment(): void {
  fromFragment = null;
}

/**
 * The number and secret of the card opened in this page, held in memory only (never stored): moving its balance to
 * an account asks for them again, and fills them in when this page still has them.
 */
let openedHere: { card: string; number: string; secret: string } | null = null;

export function rememberOpened(card: string, number: string, secret: string): void {
  openedHere = { card, number, secret };
}

export function openedCredentials(card: string): { number: string; secret: string } | null {
  return openedHere?.card === card ? { number: openedHere.number, secret: openedHere.secret } : null;
}

export function forgetOpened(): void {
  openedHere = null;
}
