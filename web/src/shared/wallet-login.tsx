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

/** POST /v1/wallet/login's body: an email when there is an @, else a phone number without spaces and punctuation. */
export function walletLoginBody({ contact, password }: WalletCredentials) {
  const value = contact.trim();
  return value.includes("@") ? { email: value, password } : { phone: value.replace(/[\s().-]/g, ""), password };
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
