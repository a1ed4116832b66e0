/** The wallet API's objects, as the pages use them (docs/openapi.json has the full schemas). */
export interface WalletUser {
  id: string;
  livemode: boolean;
  email: string | null;
  phone: string | null;
  display_name: string | null;
  locale: string;
  tier: number;
  frozen: boolean;
  totp_enabled: boolean;
}

export interface WalletLogin {
  token: string;
  wallet_user: WalletUser;
  /** This browser's device token: kept and sent with the next login. */
  device_token?: string;
}

export interface Device {
  id: string;
  object: "device";
  description: string;
  last_ip: string | null;
  created: number;
  last_sign_in: number;
  signed_in: boolean;
  current: boolean;
}

export interface SignIn {
  id: string;
  object: "sign_in";
  device: string;
  description: string;
  method: string;
  ip: string | null;
  new_device: boolean;
  alerted: boolean;
  created: number;
}

export interface Verification {
  id: string;
  channel: "email" | "sms";
  sent_to: string;
  expires_at: number;
}

export interface Balance {
  currency: string;
  available: string;
  held: string;
  incoming: string;
}

export interface FundingSource {
  id: string;
  status: "pending_verification" | "verified" | "verification_failed" | "removed";
  currency: string;
  holder_name: string;
  bank_code: string;
  last4: string;
  failure_message: string | null;
}

export interface TopUp {
  id: string;
  status: "pending" | "succeeded" | "failed";
  amount: string;
  currency: string;
  failure_code: string | null;
  failure_message: string | null;
}

export type Withdrawal = TopUp;

export interface Transfer {
  id: string;
  amount: string;
  currency: string;
  recipient: { id: string; name: string };
}

export interface WalletPayment {
  id: string;
  livemode: boolean;
  status: "requires_payment" | "processing" | "requires_capture" | "succeeded" | "failed" | "canceled" | "expired";
  method: "qr" | "payment_code" | "checkout" | "crypto";
  merchant: { name: string };
  amount: string;
  /** Before a discount (equal to amount without one, docs/coupons.md). */
  amount_subtotal: string;
  discount: { name: string; code: string | null; amount: string; applied_by: "merchant" | "payer" } | null;
  currency: string;
  description: string | null;
  step_up_required: boolean;
  failure_code: string | null;
  amount_refunded: string;
  expires_at: number;
  redirect_url: string | null;
  created: number;
}

export interface WalletTransaction {
  id: string;
  type: "top_up" | "withdrawal" | "transfer" | "payment" | "refund" | "cashback" | "cashback_reversal";
  status: string;
  direction: "in" | "out";
  amount: string;
  currency: string;
  description: string;
  counterparty_name: string;
  note: string | null;
  failure_code: string | null;
  /** Payments only. */
  amount_refunded: string | null;
  created: number;
}

export interface PaymentCode {
  code: string;
  expires_at: number;
  barcode_svg: string;
  qr_svg: string;
}

export interface Session {
  id: string;
  user_agent: string | null;
  ip: string | null;
  created: number;
  last_seen: number;
  current: boolean;
}

export interface Passkey {
  id: string;
  name: string | null;
  created: number;
  last_used: number | null;
}

export interface TotpEnrollment {
  secret: string;
  otpauth_uri: string;
  qr_svg: string;
}

export interface DevSms {
  to: string;
  text: string;
  created: number;
}

export interface KycSubmission {
  id: string;
  level: number;
  status: "pending_review" | "approved" | "rejected";
  decision_reason: string | null;
  provider: "sandbox" | "review";
  created: number;
}
