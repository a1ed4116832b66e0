import type { AuthenticationResponseJSON } from "@simplewebauthn/server";
import type { WalletDeps } from "../deps.js";
import { walletError } from "../errors.js";
import type { WalletUser } from "../users/model.js";
import type { WalletUserService } from "../users/service.js";
import type { WalletPasskeys } from "./passkeys.js";
import type { WalletTotp } from "./totp.js";

/**
 * Step-up: a send or withdrawal above the deployment's threshold (COFFER_WALLET_STEP_UP_ABOVE) needs a fresh
 * second factor with the request: a TOTP code (accepted once) or a passkey assertion over a one-time challenge.
 * Failures count toward the same lockout as failed passwords.
 */
export type StepUpProof =
  | { method: "totp"; code: string }
  | { method: "passkey"; challengeId: string; credential: AuthenticationResponseJSON };

export type WalletStepUp = ReturnType<typeof createWalletStepUp>;

export function createWalletStepUp(
  deps: WalletDeps & { users: WalletUserService; totp: WalletTotp; passkeys: WalletPasskeys },
) {
  function isRequired(amount: bigint, currency: string): boolean {
    const threshold = deps.config.stepUpAbove.get(currency);
    return threshold === undefined || amount > threshold;
  }

  async function require(
    user: WalletUser,
    amount: bigint,
    currency: string,
    proof: StepUpProof | undefined,
    ip: string | null,
  ): Promise<void> {
    if (!isRequired(amount, currency)) return;
    await requireAlways(user, proof, ip, `Amounts above ${deps.config.stepUpAbove.get(currency)}`);
  }

  /**
   * A fresh second factor whatever the amount (an allowlist change, say): a TOTP code, accepted once, or a passkey
   * assertion; failures count toward the wallet's lockout. what: the sentence's subject in the refusal.
   */
  async function requireAlways(
    user: WalletUser,
    proof: StepUpProof | undefined,
    ip: string | null,
    what: string,
  ): Promise<void> {
    if (!proof) {
      const methods = [
        ...(user.totpEnabledAt ? ["totp"] : []),
        ...((await deps.passkeys.list(user.id)).length > 0 ? ["passkey"] : []),
      ];
      throw walletError(
        "step_up_required",
        methods.length > 0
          ? `${what} need step_up with one of: ${methods.join(", ")}.`
          : `${what} need a second factor; enroll an authenticator app or a passkey first.`,
        "step_up",
      );
    }
    deps.users.assertNotLocked(user, deps.clock.now());
    const ok =
      proof.method === "totp"
        ? await deps.totp.consume(user, proof.code)
        : await deps.passkeys.verifyStepUp(user.id, proof.challengeId, proof.credential);
    if (!ok) {
      await deps.users.recordAuthFailure(user.id, ip);
      throw walletError("step_up_failed", undefined, "step_up");
    }
    if (user.failedLogins > 0) await deps.users.resetAuthFailures(user.id);
  }

  return { isRequired, require, requireAlways };
}
