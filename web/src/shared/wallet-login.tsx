import { TextField } from "./ui";

/**
 * Logging in to a wallet (email or phone, and password), as the wallet app and the hosted checkout both ask for it.
 * Each area passes the field texts from its own messages, so each keeps its own wording and translations.
 */
export interface WalletLoginTexts {
  contact: string;
  contactHint: string;
  password: string;
}

export interface WalletCredentials {
  contact: string;
  password: string;
}

export const noWalletCredentials: WalletCredentials = { contact: "", password: "" };

/** Where the wallet app keeps its session token in this browser (the checkout reads it for test payers). */
export const walletTokenKey = "coffer.wallet.token";

export function storedWalletToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(walletTokenKey) ?? null;
  } catch {
    return null;
  }
}

/**
 * The device token coffer gave this browser at a wallet sign-in, kept so the next sign-in from here is recognised
 * (a sign-in from an unknown device alerts the wallet's owner). It proves nothing by itself: the password does.
 */
const deviceKey = "coffer.wallet.device";

export function walletDeviceToken(): string | null {
  try {
    return globalThis.localStorage?.getItem(deviceKey) ?? null;
  } catch {
    return null;
  }
}

export function rememberWalletDevice(token: string | undefined): void {
  if (!token) return;
  try {
    localStorage.setItem(deviceKey, token);
  } catch {
    // Private mode without storage: the next sign-in counts as a new device.
  }
}

/** The device_token field of a login or verification body, when this browser has one. */
export function walletDeviceField(): { device_token?: string } {
  const token = walletDeviceToken();
  return token ? { device_token: token } : {};
}

/** POST /v1/wallet/login's body: an email when there is an @, else a phone number without spaces and punctuation. */
export function walletLoginBody({ contact, password }: WalletCredentials) {
  const value = contact.trim();
  const device = walletDeviceField();
  return value.includes("@")
    ? { email: value, password, ...device }
    : { phone: value.replace(/[\s().-]/g, ""), password, ...device };
}

export function WalletLoginFields({
  texts,
  value,
  onChange,
}: {
  texts: WalletLoginTexts;
  value: WalletCredentials;
  onChange(next: WalletCredentials): void;
}) {
  return (
    <>
      <TextField
        label={texts.contact}
        hint={texts.contactHint}
        name="contact"
        autoComplete="username"
        value={value.contact}
        onChange={(event) => onChange({ ...value, contact: event.target.value })}
        required
      />
      <TextField
        label={texts.password}
        name="password"
        type="password"
        autoComplete="current-password"
        value={value.password}
        onChange={(event) => onChange({ ...value, password: event.target.value })}
        required
      />
    </>
  );
}
