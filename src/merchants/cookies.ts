/**
 * Session cookies, written by hand (two attributes do not justify a dependency): HttpOnly so scripts cannot read
 * them, SameSite=Lax so other sites' forms and scripts do not send them, Secure whenever coffer is reached over TLS
 * (the request came over https, or COFFER_PUBLIC_URL is https), and a Path that keeps each cookie to its API.
 */
export interface CookieOptions {
  path: string;
  maxAgeS: number;
  secure: boolean;
}

const cookieValue = /^[A-Za-z0-9_-]+$/;

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  if (!cookieValue.test(value)) throw new Error("cookie values are base64url tokens");
  const parts = [`${name}=${value}`, `Path=${options.path}`, `Max-Age=${Math.max(0, Math.floor(options.maxAgeS))}`];
  parts.push("HttpOnly", "SameSite=Lax");
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

export function clearCookie(name: string, options: Omit<CookieOptions, "maxAgeS">): string {
  const parts = [`${name}=`, `Path=${options.path}`, "Max-Age=0", "HttpOnly", "SameSite=Lax"];
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}

/** The value of one cookie from a Cookie header; only well-formed token values count. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(";")) {
    const index = pair.indexOf("=");
    if (index < 0) continue;
    if (pair.slice(0, index).trim() !== name) continue;
    const value = pair.slice(index + 1).trim();
    return cookieValue.test(value) && value.length <= 128 ? value : undefined;
  }
  return undefined;
}

/** Methods that change state and therefore need the CSRF header when authenticated by a cookie. */
export function isUnsafeMethod(method: string): boolean {
  return method !== "GET" && method !== "HEAD" && method !== "OPTIONS";
}

export function isSecureRequest(protocol: string, publicUrl: string | undefined): boolean {
  return protocol === "https" || (publicUrl?.startsWith("https://") ?? false);
}
