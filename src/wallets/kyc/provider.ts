import type { KycProviderName } from "../config.js";

/**
 * Who checks an identity. A provider answers approved, rejected (with a reason) or review (a person decides: the
 * submission waits in the operator review queue). Live submissions go to COFFER_KYC_PROVIDER (default review);
 * test-mode wallet users always get the sandbox, which decides by magic values (docs/wallets.md):
 *
 *   id_number or document_number ending 0000 → rejected; ending 1111 → review; anything else → approved.
 */
export interface IdentityCheck {
  level: 1 | 2;
  fullName?: string;
  idNumber?: string;
  dateOfBirth?: string;
  documentType?: string;
  documentNumber?: string;
  documentCountry?: string;
}

export type KycDecision = { decision: "approved" } | { decision: "rejected"; reason: string } | { decision: "review" };

export interface KycProvider {
  name: KycProviderName;
  check(input: IdentityCheck): Promise<KycDecision>;
}

export const sandboxKycProvider: KycProvider = {
  name: "sandbox",
  async check(input) {
    const number = (input.level === 1 ? input.idNumber : input.documentNumber) ?? "";
    if (number.endsWith("0000")) {
      return { decision: "rejected", reason: input.level === 1 ? "id_number_not_found" : "document_unreadable" };
    }
    if (number.endsWith("1111")) return { decision: "review" };
    return { decision: "approved" };
  },
};

/** Every submission waits for an operator: the default for live wallets until a real provider is plugged in. */
export const reviewKycProvider: KycProvider = {
  name: "review",
  async check() {
    return { decision: "review" };
  },
};

export function kycProviderFor(livemode: boolean, configured: KycProviderName): KycProvider {
  if (!livemode) return sandboxKycProvider;
  return configured === "sandbox" ? sandboxKycProvider : reviewKycProvider;
}
