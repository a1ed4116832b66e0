/**
 * Where links in mails point. With COFFER_PUBLIC_URL set, always there. Without it (development), the request's
 * Host header is used only when it names this machine (localhost, 127.0.0.1, [::1]): a forged Host header must
 * never turn a password-reset mail into a link to someone else's site. Anything else falls back to
 * http://localhost:<port>.
 */
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function linkBaseUrl(publicUrl: string | undefined, hostHeader: string | undefined, port: number): string {
  if (publicUrl) return publicUrl.replace(/\/$/, "");
  if (hostHeader) {
    try {
      const parsed = new URL(`http://${hostHeader}`);
      if (loopbackHosts.has(parsed.hostname) && parsed.username === "" && parsed.pathname === "/") {
        return `http://${parsed.host}`;
      }
    } catch {
      // not a host: fall through
    }
  }
  return `http://localhost:${port}`;
}

/** The console page a mail links to, with its single-use token. */
export function consoleLink(base: string, page: "verify-email" | "reset-password" | "accept-invite", token: string) {
  return `${base}/console/${page}?token=${encodeURIComponent(token)}`;
}
