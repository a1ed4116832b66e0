import type { CheckoutSummary } from "./service.js";

/**
 * The hosted checkout page, server-rendered: small, no framework, readable without script, in English or
 * Simplified Chinese. All its logic is in JSON endpoints it calls (GET /v1/checkout/{id}, POST /v1/wallet/login,
 * POST /v1/wallet/payments/{id}/confirm), so the coming web app can replace it without new server code.
 * The script and style carry the response's CSP nonce; nothing else may run.
 */
export type CheckoutLocale = "en" | "zh-CN";

const texts = {
  en: {
    title: "Pay",
    to: "Pay to",
    scan: "Scan with the coffer wallet app",
    or: "or log in to your wallet",
    contact: "Email or phone number",
    password: "Password",
    totp: "Authenticator code",
    totpHint: "This amount needs a second factor: enter the code from your authenticator app.",
    pay: "Pay",
    paying: "Paying…",
    back: "Cancel and return to the shop",
    test: "Test mode: no real money moves.",
    status: {
      requires_payment: "",
      processing: "Waiting for confirmation.",
      requires_capture: "Paid. Thank you!",
      succeeded: "Paid. Thank you!",
      failed: "This payment failed.",
      canceled: "This payment was canceled.",
      expired: "This payment expired.",
    },
    error: "Something went wrong; please try again.",
  },
  "zh-CN": {
    title: "付款",
    to: "付款给",
    scan: "用 coffer 钱包扫码付款",
    or: "或登录钱包付款",
    contact: "邮箱或手机号",
    password: "密码",
    totp: "验证器动态码",
    totpHint: "此金额需要二次验证：请输入验证器应用中的动态码。",
    pay: "付款",
    paying: "正在付款…",
    back: "取消并返回商家",
    test: "测试模式：不会产生真实资金流动。",
    status: {
      requires_payment: "",
      processing: "等待确认。",
      requires_capture: "付款成功，谢谢！",
      succeeded: "付款成功，谢谢！",
      failed: "付款失败。",
      canceled: "付款已取消。",
      expired: "付款已过期。",
    },
    error: "出错了，请重试。",
  },
} as const;

/** en or zh-CN from ?locale=, else the Accept-Language header's first match, else en. */
export function checkoutLocale(query: string | undefined, acceptLanguage: string | undefined): CheckoutLocale {
  if (query === "zh-CN" || query === "en") return query;
  for (const part of (acceptLanguage ?? "").split(",")) {
    const tag = part.split(";")[0]?.trim().toLowerCase() ?? "";
    if (tag.startsWith("zh")) return "zh-CN";
    if (tag.startsWith("en")) return "en";
  }
  return "en";
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON for a <script> block: "</script>" and friends cannot end the block early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
}

export function renderCheckoutPage(summary: CheckoutSummary, locale: CheckoutLocale, nonce: string): string {
  const t = texts[locale];
  const open = summary.status === "requires_payment";
  const statusText = t.status[summary.status];
  const amount = `${summary.amount_display} ${summary.currency}`;
  const data = {
    id: summary.id,
    redirect: summary.redirect_url,
    status: summary.status,
    texts: {
      pay: `${t.pay} ${amount}`,
      paying: t.paying,
      error: t.error,
      totpHint: t.totpHint,
      done: t.status.succeeded,
    },
  };
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(`${t.title} ${amount} · ${summary.merchant.name}`)}</title>
<style nonce="${nonce}">
body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f4f5;color:#18181b}
main{max-width:26rem;margin:2rem auto;background:#fff;padding:1.5rem;border-radius:.75rem}
h1{font-size:1rem;font-weight:normal;margin:0;color:#52525b}.amount{font-size:2rem;font-weight:600;margin:.25rem 0}
.qr svg{width:12rem;height:12rem;display:block;margin:1rem auto}label{display:block;margin-top:.75rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #a1a1aa;border-radius:.375rem}
button{margin-top:1rem;width:100%;padding:.75rem;font:inherit;font-weight:600;background:#18181b;color:#fff;border:0;border-radius:.375rem}
button:focus-visible,input:focus-visible,a:focus-visible{outline:3px solid #2563eb;outline-offset:2px}
[role=alert]{color:#b91c1c;min-height:1.5rem}.note{color:#52525b;font-size:.875rem}[hidden]{display:none}
</style>
</head>
<body>
<main>
<h1>${escapeHtml(t.to)} ${escapeHtml(summary.merchant.name)}</h1>
<p class="amount">${escapeHtml(amount)}</p>
${summary.description ? `<p>${escapeHtml(summary.description)}</p>` : ""}
${summary.livemode ? "" : `<p class="note">${escapeHtml(t.test)}</p>`}
<p id="status" role="status">${escapeHtml(statusText)}</p>
${
  open
    ? `<figure class="qr">${summary.qr.svg}<figcaption class="note">${escapeHtml(t.scan)}</figcaption></figure>
<form id="pay" novalidate>
<p class="note">${escapeHtml(t.or)}</p>
<label for="contact">${escapeHtml(t.contact)}</label>
<input id="contact" name="contact" autocomplete="username" required>
<label for="password">${escapeHtml(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<div id="totp-field" hidden>
<label for="totp">${escapeHtml(t.totp)}</label>
<input id="totp" name="totp" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" maxlength="6">
</div>
<p id="error" role="alert"></p>
<button type="submit">${escapeHtml(`${t.pay} ${amount}`)}</button>
</form>`
    : ""
}
${summary.cancel_url && open ? `<p><a href="${escapeHtml(summary.cancel_url)}">${escapeHtml(t.back)}</a></p>` : ""}
</main>
<script nonce="${nonce}">
const c = ${scriptJson(data)};
if (c.redirect) location.replace(c.redirect);
const form = document.getElementById("pay");
const error = document.getElementById("error");
const status = document.getElementById("status");
const post = (url, body, token, key) => fetch(url, { method: "POST", headers: Object.assign(
  { "content-type": "application/json" }, token ? { authorization: "Bearer " + token } : {},
  key ? { "idempotency-key": key } : {}), body: JSON.stringify(body) });
let token = null;
async function done(r) {
  const p = await r.json();
  if (p.redirect_url) location.replace(p.redirect_url);
  else { status.textContent = c.texts.done; if (form) form.hidden = true; }
}
if (form) form.addEventListener("submit", async (e) => {
  e.preventDefault();
  const button = form.querySelector("button");
  button.disabled = true; button.textContent = c.texts.paying; error.textContent = "";
  try {
    if (!token) {
      const contact = form.contact.value.trim();
      const login = await post("/v1/wallet/login", Object.assign(contact.includes("@") ? { email: contact } : { phone: contact },
        { password: form.password.value }));
      const body = await login.json();
      if (!login.ok) throw new Error(body.error && body.error.message);
      token = body.token;
    }
    const totp = form.totp.value.trim();
    const r = await post("/v1/wallet/payments/" + c.id + "/confirm", totp ? { step_up: { totp } } : {}, token, crypto.randomUUID());
    if (r.ok) return done(r);
    const failure = (await r.json()).error || {};
    if (failure.code === "step_up_required" || failure.code === "step_up_failed") {
      document.getElementById("totp-field").hidden = false; form.totp.focus();
    }
    throw new Error(failure.code === "step_up_required" ? c.texts.totpHint : failure.message);
  } catch (err) {
    error.textContent = (err && err.message) || c.texts.error;
  } finally {
    button.disabled = false; button.textContent = c.texts.pay;
  }
});
if (c.status === "requires_payment") setInterval(async () => {
  const r = await fetch("/v1/checkout/" + c.id);
  if (!r.ok) return;
  const s = await r.json();
  if (s.redirect_url) location.replace(s.redirect_url);
  else if (s.status !== "requires_payment") location.reload();
}, 3000);
</script>
</body>
</html>
`;
}
