import { hash, verify } from "@node-rs/argon2";
import { passwordLengthMax, passwordLengthMin } from "../limits.js";

/**
 * Passwords are stored as argon2id hashes (OWASP's recommended parameters: 19 MiB, 2 iterations, 1 lane).
 * The hash string carries its parameters, so raising them later keeps old hashes verifiable.
 */
const argon2idAlgorithm = 2; // @node-rs/argon2's Algorithm.Argon2id (a const enum, so named here)
const hashOptions = { algorithm: argon2idAlgorithm, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export type PasswordProblem = "password_too_short" | "password_too_long" | "password_too_common" | "password_invalid";

/** Common passwords and patterns refused outright; length is the real defence, this stops the obvious ones. */
const commonPasswords = new Set([
  "password",
  "password1",
  "password12",
  "password123",
  "password1234",
  "1234567890",
  "0123456789",
  "12345678910",
  "qwertyuiop",
  "qwerty1234",
  "1q2w3e4r5t",
  "iloveyou12",
  "letmein123",
  "welcome123",
  "admin12345",
  "changeme12",
  "abcdefghij",
  "abc1234567",
  "aaaaaaaaaa",
  "passw0rd12",
  "football12",
  "baseball12",
  "dragon1234",
  "monkey1234",
]);

export function checkPassword(password: unknown, context: string[] = []): PasswordProblem | null {
  if (typeof password !== "string") return "password_invalid";
  if ([...password].length < passwordLengthMin) return "password_too_short";
  if (password.length > passwordLengthMax) return "password_too_long";
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered)) return "password_too_common";
  if (/^(.)\1+$/.test(password)) return "password_too_common";
  // The user's own email, name or business name is the first thing an attacker tries.
  for (const word of context) {
    const w = word.toLowerCase().split("@")[0] ?? "";
    if (w.length >= 4 && lowered.includes(w)) return "password_too_common";
  }
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, hashOptions);
}

/**
 * Verifies in constant time for the hash. With no stored hash (unknown user), still spends the time of one
 * verification so response timing does not tell which accounts exist.
 */
let dummyHash: Promise<string> | undefined;
export async function verifyPassword(storedHash: string | null | undefined, password: string): Promise<boolean> {
  if (password.length > passwordLengthMax) return false;
  if (!storedHash) {
    dummyHash ??= hash("coffer-timing-equaliser", hashOptions);
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}
