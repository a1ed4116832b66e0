import { randomBytes } from "node:crypto";

/**
 * Prefixed object ids, Stripe style: the prefix says what an id is (`pay_…` is a payment), the rest is 22 base62
 * characters of randomness (~131 bits), unguessable and safe in URLs. Add a prefix here when adding an object.
 */
export const idPrefixes = {
  merchant: "mer",
  merchantUser: "usr",
  consoleSession: "cs",
  apiKey: "key",
  kybApplication: "kyb",
  document: "doc",
  operator: "op",
  operatorSession: "os",
  invite: "inv",
  walletUser: "wal",
  walletSession: "ws",
  fundingSource: "fs",
  topUp: "tu",
  withdrawal: "wd",
  walletTransfer: "wt",
  walletVerification: "wvc",
  kycSubmission: "kyc",
  walletPasskey: "wpk",
  walletChallenge: "wch",
  walletPasswordReset: "wpr",
  signInDevice: "dev",
  signIn: "sgn",
  payment: "pay",
  paymentAttempt: "pat",
  feedback: "fbk",
  paymentLink: "plk",
  store: "sto",
  till: "til",
  storedValueCard: "svc",
  storedValueBatch: "svb",
  coupon: "cpn",
  promotionCode: "prc",
  couponRedemption: "cpr",
  cashbackRule: "cbr",
  cashback: "cb",
  cashbackReversal: "cbv",
  offlineCertificate: "ofc",
  offlineKey: "ofk",
  refund: "re",
  dispute: "dp",
  supportTicket: "tkt",
  supportMessage: "tkm",
  supportAttachment: "att",
  payout: "po",
  event: "evt",
  webhookEndpoint: "we",
  webhookDelivery: "whd",
  goLiveProbe: "glp",
  verifyRun: "vr",
  auditReport: "ar",
  bankFileBatch: "bfb",
  message: "msg",
  auditRecord: "aud",
  dataKey: "dk",
  request: "req",
  cryptoAlert: "calr",
  cryptoDeposit: "cdep",
  cryptoWithdrawal: "cwd",
  cryptoSweep: "csw",
  cryptoOutgoingTransaction: "cotx",
  cryptoAllowlistEntry: "cal",
  reservesReport: "rsv",
} as const;

export type IdPrefix = (typeof idPrefixes)[keyof typeof idPrefixes];

const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const randomLength = 22;

export function newId(prefix: IdPrefix): string {
  // Rejection sampling keeps every character uniform (256 is not a multiple of 62).
  let out = "";
  while (out.length < randomLength) {
    for (const byte of randomBytes(32)) {
      if (byte < 248) out += alphabet[byte % 62];
      if (out.length === randomLength) break;
    }
  }
  return `${prefix}_${out}`;
}

const idPattern = /^([a-z]{2,4})_[0-9A-Za-z]{22}$/;

/** True when `value` is a well-formed id with this prefix; use it before a lookup so junk never reaches SQL. */
export function isId(value: unknown, prefix: IdPrefix): value is string {
  if (typeof value !== "string") return false;
  const match = idPattern.exec(value);
  return match?.[1] === prefix;
}
