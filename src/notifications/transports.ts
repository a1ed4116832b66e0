import nodemailer from "nodemailer";
import { smsHttpTimeoutMs, smtpTimeoutMs } from "../limits.js";

/**
 * How a message leaves coffer. `dev` transports send nothing: the message row itself is the dev mailbox (or SMS
 * outbox) that the console and `GET /v1/console/dev/mailbox` show, so a newcomer needs no mail server.
 */
export interface EmailTransport {
  name: "smtp" | "dev";
  send(message: { to: string; subject: string; text: string; html: string }): Promise<void>;
  close?(): void;
}

export interface SmsTransport {
  name: "http" | "dev";
  send(message: { to: string; text: string }): Promise<void>;
}

export const devEmailTransport: EmailTransport = { name: "dev", send: async () => {} };
export const devSmsTransport: SmsTransport = { name: "dev", send: async () => {} };

/** SMTP through nodemailer, from a URL like smtp://user:pass@host:587 or smtps://host:465. */
export function createSmtpTransport(smtpUrl: string, from: string): EmailTransport {
  const url = new URL(smtpUrl);
  const transporter = nodemailer.createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : url.protocol === "smtps:" ? 465 : 587,
    secure: url.protocol === "smtps:",
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    // A local SMTP sink or relay without TLS is allowed only on loopback; elsewhere STARTTLS is required.
    requireTLS: url.protocol === "smtp:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname),
    ignoreTLS: ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname) && url.protocol === "smtp:",
    connectionTimeout: smtpTimeoutMs,
    greetingTimeout: smtpTimeoutMs,
    socketTimeout: smtpTimeoutMs,
  });
  return {
    name: "smtp",
    async send(message) {
      await transporter.sendMail({
        from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
    },
    close: () => transporter.close(),
  };
}

/**
 * A generic HTTP SMS gateway: POST {"to", "text"} as JSON with a bearer token; any 2xx is sent. Most providers
 * can be fronted this way; a provider-specific adapter implements SmsTransport the same way.
 */
export function createHttpSmsTransport(url: string, token: string | undefined): SmsTransport {
  return {
    name: "http",
    async send(message) {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ to: message.to, text: message.text }),
        redirect: "error",
        signal: AbortSignal.timeout(smsHttpTimeoutMs),
      });
      if (!response.ok) throw new Error(`SMS gateway answered ${response.status}`);
    },
  };
}
