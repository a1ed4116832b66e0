/**
 * WebAuthn in the browser, for registering a passkey: coffer sends the creation options as JSON (binary fields in
 * base64url) and takes the credential back as JSON. Browsers that have the JSON helpers use them; others get the
 * few conversions done here.
 */
type Json = Record<string, unknown>;

function fromBase64Url(text: string): ArrayBuffer {
  const base64 = text
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil(text.length / 4) * 4, "=");
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index += 1) bytes[index] = binary.charCodeAt(index);
  return bytes.buffer;
}

function toBase64Url(buffer: ArrayBuffer): string {
  let binary = "";
  for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function passkeysSupported(): boolean {
  return typeof window !== "undefined" && "PublicKeyCredential" in window && Boolean(navigator.credentials);
}

function creationOptions(options: Json): CredentialCreationOptions["publicKey"] {
  const json = options as Json & { user: Json; excludeCredentials?: Json[] };
  return {
    ...(json as unknown as PublicKeyCredentialCreationOptions),
    challenge: fromBase64Url(json.challenge as string),
    user: { ...(json.user as unknown as PublicKeyCredentialUserEntity), id: fromBase64Url(json.user.id as string) },
    excludeCredentials: (json.excludeCredentials ?? []).map((credential) => ({
      ...(credential as unknown as PublicKeyCredentialDescriptor),
      id: fromBase64Url(credential.id as string),
    })),
  };
}

function credentialJson(credential: PublicKeyCredential): Json {
  const response = credential.response as AuthenticatorAttestationResponse;
  return {
    id: credential.id,
    rawId: toBase64Url(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: toBase64Url(response.clientDataJSON),
      attestationObject: toBase64Url(response.attestationObject),
      transports: response.getTransports?.() ?? [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
    authenticatorAttachment: credential.authenticatorAttachment ?? undefined,
  };
}

/** Asks the browser to make a passkey from coffer's options; answers the credential as coffer wants it. */
export async function createPasskey(options: Json): Promise<Json> {
  const created = (await navigator.credentials.create({ publicKey: creationOptions(options) })) as PublicKeyCredential;
  if (!created) throw new Error("no passkey was made");
  return credentialJson(created);
}
