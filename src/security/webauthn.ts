import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import { webauthnCeremonyTimeoutMs } from "../limits.js";

/**
 * WebAuthn (passkeys) through @simplewebauthn/server: options for the browser, verification of its answers. The
 * relying party is coffer as the browser sees it: COFFER_PUBLIC_URL when set, else the loopback address a
 * developer opened. Callers keep challenges (single use, short-lived) and credentials; this module only speaks
 * the protocol. User verification (PIN, biometrics) is required, so a passkey is two factors by itself.
 */
export interface RelyingParty {
  /** The RP ID: a host name, without scheme or port. */
  id: string;
  name: string;
  /** The exact origin the browser reports in clientDataJSON. */
  origin: string;
}

const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Null when coffer cannot tell its own origin (no COFFER_PUBLIC_URL and a non-loopback Host header). */
export function relyingPartyFor(publicUrl: string | undefined, hostHeader: string | undefined): RelyingParty | null {
  try {
    if (publicUrl) {
      const url = new URL(publicUrl);
      return { id: url.hostname, name: "coffer", origin: url.origin };
    }
    if (!hostHeader) return null;
    const url = new URL(`http://${hostHeader}`);
    if (!loopbackHosts.has(url.hostname)) return null;
    return { id: url.hostname.replace(/^\[|\]$/g, ""), name: "coffer", origin: url.origin };
  } catch {
    return null;
  }
}

export interface StoredCredential {
  id: string;
  publicKey: Uint8Array;
  counter: number;
  transports: string[];
}

export interface RegisteredCredential extends StoredCredential {
  deviceType: "singleDevice" | "multiDevice";
  backedUp: boolean;
}

export function registrationOptions(
  rp: RelyingParty,
  user: { id: string; email: string; name: string | null },
  existing: { id: string; transports: string[] }[],
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: rp.name,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name ?? user.email,
    userID: new TextEncoder().encode(user.id),
    timeout: webauthnCeremonyTimeoutMs,
    attestationType: "none",
    excludeCredentials: existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  });
}

export function authenticationOptions(rp: RelyingParty): Promise<PublicKeyCredentialRequestOptionsJSON> {
  // Discoverable credentials: the browser offers the passkeys it has for this site; no account is named first.
  return generateAuthenticationOptions({
    rpID: rp.id,
    timeout: webauthnCeremonyTimeoutMs,
    userVerification: "required",
  });
}

/** The challenge the browser signed, from clientDataJSON; undefined when the response is not readable. */
export function challengeOf(response: { response?: { clientDataJSON?: unknown } }): string | undefined {
  const raw = response.response?.clientDataJSON;
  if (typeof raw !== "string" || raw.length > 4_096) return undefined;
  try {
    const clientData = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { challenge?: unknown };
    return typeof clientData.challenge === "string" ? clientData.challenge : undefined;
  } catch {
    return undefined;
  }
}

export async function verifyRegistration(
  rp: RelyingParty,
  response: RegistrationResponseJSON,
  expectedChallenge: string,
): Promise<RegisteredCredential | null> {
  try {
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: true,
    });
    if (!result.verified) return null;
    const info = result.registrationInfo;
    return {
      id: info.credential.id,
      publicKey: info.credential.publicKey,
      counter: info.credential.counter,
      transports: info.credential.transports ?? response.response.transports ?? [],
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
    };
  } catch {
    return null;
  }
}

export async function verifyAuthentication(
  rp: RelyingParty,
  response: AuthenticationResponseJSON,
  expectedChallenge: string,
  credential: StoredCredential,
): Promise<{ newCounter: number } | null> {
  try {
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: credential.id,
        publicKey: new Uint8Array(credential.publicKey),
        counter: credential.counter,
        transports: credential.transports,
      },
      requireUserVerification: true,
    });
    return result.verified ? { newCounter: result.authenticationInfo.newCounter } : null;
  } catch {
    return null;
  }
}

export type { AuthenticationResponseJSON, RegistrationResponseJSON };
