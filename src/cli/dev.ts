import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { unreachableMessage } from "./api-target.js";
import type { CliContext, Command } from "./command.js";
import { listenSigningSecret } from "./listen.js";

/**
 * `coffer dev`: a development merchant in one command. Against a running coffer in development (COFFER_ENV), it
 * signs up a merchant (or signs in to the one it made before), verifies its email from the dev mailbox, makes a
 * test secret key, optionally a webhook endpoint, and a funded test payer, then prints them with the next command.
 * It only calls the public API, like a developer with curl would. What it made is remembered in
 * COFFER_DATA_DIR/dev-merchant.json (mode 0600, per API URL), so running it again reuses the account, the key and
 * the endpoint while they still work.
 */
const stateFileName = "dev-merchant.json";
const mailWaitMs = 10_000;
const mailPollMs = 200;
const devPayerCurrency = "USD";
const devEmailDomain = "coffer.localhost";
const keyName = "coffer dev";

interface DevState {
  email: string;
  password: string;
  secretKey?: string;
  endpoint?: { id: string; url: string; secret: string };
  payer?: { id: string; token: string; signInUrl: string; balance: string };
}

/** A failure already worded for the terminal: one line, no stack. */
class DevFailure extends Error {}

interface Reply<T> {
  status: number;
  body: T & { error?: { code?: string; message?: string } };
  cookies: string[];
}

function http(apiUrl: string) {
  return async function call<T = Record<string, unknown>>(
    method: "GET" | "POST",
    pathAndQuery: string,
    options: { body?: unknown; key?: string; cookie?: string; csrf?: string } = {},
  ): Promise<Reply<T>> {
    let response: Response;
    try {
      response = await fetch(`${apiUrl}${pathAndQuery}`, {
        method,
        headers: {
          ...(options.key ? { authorization: `Bearer ${options.key}` } : {}),
          ...(options.cookie ? { cookie: options.cookie } : {}),
          ...(options.csrf ? { "x-csrf-token": options.csrf } : {}),
          ...(method === "POST" ? { "content-type": "application/json" } : {}),
          ...(method === "POST" && options.key ? { "idempotency-key": randomUUID() } : {}),
        },
        body: method === "POST" ? JSON.stringify(options.body ?? {}) : undefined,
        redirect: "error",
      });
    } catch (error) {
      throw new DevFailure(unreachableMessage(apiUrl, error));
    }
    const body = (await response.json().catch(() => ({}))) as Reply<T>["body"];
    return { status: response.status, body, cookies: response.headers.getSetCookie() };
  };
}

const ok = (reply: Reply<unknown>) => reply.status >= 200 && reply.status < 300;

function failed(what: string, reply: Reply<unknown>): DevFailure {
  const code = reply.body.error?.code ?? String(reply.status);
  return new DevFailure(`${what} answered ${reply.status} ${code}: ${reply.body.error?.message ?? "request failed"}`);
}

/** The state file: one entry per API URL, readable by its owner only (it holds a password and a test key). */
async function readStates(file: string): Promise<Record<string, DevState>> {
  try {
    return JSON.parse(await fs.readFile(file, "utf8")) as Record<string, DevState>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new DevFailure(`cannot read ${file}: ${(error as Error).message}; delete it to start afresh`);
  }
}

async function writeState(file: string, apiUrl: string, state: DevState): Promise<void> {
  const states = await readStates(file);
  states[apiUrl] = state;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(states, null, 2)}\n`, { mode: 0o600 });
  await fs.chmod(file, 0o600);
}

function devApiUrl(values: Record<string, unknown>, env: NodeJS.ProcessEnv): string {
  const flag = values["api-url"];
  const url =
    typeof flag === "string" ? flag : env.COFFER_API_URL?.trim() || `http://127.0.0.1:${env.PORT?.trim() || "4000"}`;
  return url.replace(/\/+$/, "");
}

/** Single-quoted for a POSIX shell. */
const quoted = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export const devCommand: Command = {
  summary: "Set up a development merchant: test key, webhook secret, test payer, and what to run next",
  usage: [
    "coffer dev [--api-url URL] [--webhook-url URL] [--env]",
    "",
    "  --api-url U      the coffer API (default: $COFFER_API_URL, else http://127.0.0.1:$PORT, port 4000)",
    "  --webhook-url U  also make (or reuse) a test-mode webhook endpoint delivering to U and print its secret",
    "  --env            print `export NAME=value` lines on stdout (the summary goes to stderr), for",
    '                   eval "$(npm run --silent coffer -- dev --env)"',
    "",
    "Against a running coffer in development (COFFER_ENV=development, the default with the embedded database) it",
    "signs up a merchant, verifies its email from the dev mailbox, makes a test secret key and a funded test payer",
    "with a wallet sign-in link, and prints them with the next command to run. Run again, it reuses what it made",
    "(kept in COFFER_DATA_DIR/dev-merchant.json, default .coffer). It refuses a coffer in production.",
  ].join("\n"),
  options: {
    "api-url": { type: "string" },
    "webhook-url": { type: "string" },
    env: { type: "boolean" },
  },
  async run(args, context) {
    try {
      return await setUp(args.values, context);
    } catch (error) {
      if (!(error instanceof DevFailure)) throw error;
      context.err(`coffer dev: ${error.message}`);
      return 1;
    }
  },
};

async function setUp(values: Record<string, unknown>, context: CliContext): Promise<number> {
  const env = process.env;
  const apiUrl = devApiUrl(values, env);
  const webhookUrl = typeof values["webhook-url"] === "string" ? values["webhook-url"] : undefined;
  if (webhookUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(webhookUrl)) {
    context.err(`coffer dev: --webhook-url must be an http(s) URL, got "${webhookUrl}"`);
    return 2;
  }
  const call = http(apiUrl);

  const sandbox = await call<{ environment: string | null }>("GET", "/v1/wallet/sandbox");
  if (sandbox.status !== 200) throw failed(`GET ${apiUrl}/v1/wallet/sandbox`, sandbox);
  if (sandbox.body.environment !== "development") {
    context.err(
      `coffer dev: the coffer at ${apiUrl} runs in ${sandbox.body.environment ?? "an unknown environment"}, not development; coffer dev makes development accounts only (COFFER_ENV=development)`,
    );
    return 2;
  }

  const stateFile = path.join(path.resolve(env.COFFER_DATA_DIR?.trim() || ".coffer"), stateFileName);
  let state: DevState | undefined = (await readStates(stateFile))[apiUrl];
  let session = state ? await logIn(call, state) : undefined;
  if (!session) {
    // No account yet, or this coffer's database no longer has it: a fresh one.
    state = {
      email: `dev-${randomBytes(4).toString("hex")}@${devEmailDomain}`,
      password: randomBytes(18).toString("base64url"),
    };
    await signUp(call, state);
    await writeState(stateFile, apiUrl, state);
    await verifyEmail(call, state.email);
    session = await logIn(call, state);
    if (!session) throw new DevFailure(`cannot sign in as ${state.email} right after signing up`);
  }
  const current = state as DevState;

  if (!current.secretKey || (await call("GET", "/v1/account", { key: current.secretKey })).status !== 200) {
    const made = await call<{ secret: string }>("POST", "/v1/console/api_keys", {
      body: { type: "secret", name: keyName },
      cookie: session.cookie,
      csrf: session.csrf,
    });
    if (!ok(made)) throw failed("POST /v1/console/api_keys", made);
    current.secretKey = made.body.secret;
    current.endpoint = undefined;
    current.payer = undefined;
  }
  const key = current.secretKey;
  await writeState(stateFile, apiUrl, current);

  if (webhookUrl !== undefined) {
    const known = current.endpoint;
    const alive =
      known?.url === webhookUrl &&
      (await call<{ status: string }>("GET", `/v1/webhook_endpoints/${known.id}`, { key })).body.status === "enabled";
    if (!alive) {
      const made = await call<{ id: string; secret: string }>("POST", "/v1/webhook_endpoints", {
        key,
        body: { url: webhookUrl, enabled_events: ["*"], description: keyName },
      });
      if (!ok(made)) throw failed("POST /v1/webhook_endpoints", made);
      current.endpoint = { id: made.body.id, url: webhookUrl, secret: made.body.secret };
      await writeState(stateFile, apiUrl, current);
    }
  }

  const payerToken = current.payer?.token;
  if (!payerToken || (await call("GET", "/v1/wallet/me", { key: payerToken })).status !== 200) {
    const made = await call<{ id: string; session_token: string; sign_in_url: string; balance: string }>(
      "POST",
      "/v1/test_helpers/wallet_users",
      { key, body: { currency: devPayerCurrency } },
    );
    if (!ok(made)) throw failed("POST /v1/test_helpers/wallet_users", made);
    current.payer = {
      id: made.body.id,
      token: made.body.session_token,
      signInUrl: made.body.sign_in_url,
      balance: made.body.balance,
    };
    await writeState(stateFile, apiUrl, current);
  }
  const payer = current.payer as NonNullable<DevState["payer"]>;

  const endpoint = webhookUrl !== undefined ? current.endpoint : undefined;
  const signingSecret = endpoint?.secret ?? listenSigningSecret(key);
  const next = endpoint
    ? `npm run coffer -- trigger payment.succeeded --api-key ${key}`
    : `npm run coffer -- listen --api-key ${key} --forward-to http://localhost:3000/webhooks`;
  const summary = [
    `Development merchant ready in test mode on ${apiUrl}`,
    `  console sign-in:   ${current.email} / ${current.password}  (${apiUrl}/)`,
    `  test secret key:   ${key}`,
    endpoint
      ? `  webhook endpoint:  ${endpoint.id} → ${endpoint.url}`
      : "  webhook endpoint:  none (--webhook-url URL makes one); `coffer listen` signs what it forwards with:",
    `  signing secret:    ${signingSecret}`,
    `  test payer:        ${payer.id}, opening balance ${payer.balance} (minor units of ${devPayerCurrency}); its wallet:`,
    `                     ${payer.signInUrl}`,
    `  kept in:           ${stateFile}`,
    "Next, run:",
    `  ${next}`,
  ];
  if (values.env === true) {
    for (const line of summary) context.err(line);
    const exports: [string, string][] = [
      ["COFFER_API_URL", apiUrl],
      ["COFFER_API_KEY", key],
      ["COFFER_WEBHOOK_SECRET", signingSecret],
      ["COFFER_TEST_PAYER", payer.id],
      ["COFFER_TEST_PAYER_TOKEN", payer.token],
    ];
    for (const [name, value] of exports) context.out(`export ${name}=${quoted(value)}`);
  } else {
    for (const line of summary) context.out(line);
  }
  return 0;
}

type Call = ReturnType<typeof http>;

async function signUp(call: Call, state: DevState): Promise<void> {
  const reply = await call("POST", "/v1/console/signup", {
    body: { email: state.email, password: state.password, business_name: "Dev Shop" },
  });
  if (reply.status !== 202) throw failed("POST /v1/console/signup", reply);
}

/** Clicks the verification link of the dev mailbox's newest mail to the address. */
async function verifyEmail(call: Call, email: string): Promise<void> {
  const deadline = Date.now() + mailWaitMs;
  for (;;) {
    const mail = await call<{ data: { text: string }[] }>(
      "GET",
      `/v1/console/dev/mailbox?to=${encodeURIComponent(email)}&limit=1`,
    );
    if (mail.status === 404) {
      throw new DevFailure(
        `this coffer sends real mail (SMTP_URL) or keeps no dev mailbox (COFFER_DEV_MAILBOX=off): open the verification link mailed to ${email}, then run coffer dev again`,
      );
    }
    if (mail.status !== 200) throw failed("GET /v1/console/dev/mailbox", mail);
    const token = /[?&]token=([A-Za-z0-9_%.-]+)/.exec(mail.body.data[0]?.text ?? "")?.[1];
    if (token) {
      const verified = await call("POST", "/v1/console/verify_email", { body: { token: decodeURIComponent(token) } });
      if (verified.status !== 200) throw failed("POST /v1/console/verify_email", verified);
      return;
    }
    if (Date.now() > deadline) throw new DevFailure(`no verification mail to ${email} reached the dev mailbox`);
    await sleep(mailPollMs);
  }
}

/** A console session (cookies and CSRF token), or undefined when this coffer does not know the account. */
async function logIn(call: Call, state: DevState): Promise<{ cookie: string; csrf: string } | undefined> {
  const reply = await call<{ csrf_token: string }>("POST", "/v1/console/login", {
    body: { email: state.email, password: state.password },
  });
  if (reply.status === 401 && reply.body.error?.code === "login_failed") return undefined;
  if (reply.status !== 200) throw failed("POST /v1/console/login", reply);
  const cookie = reply.cookies.map((c) => c.split(";")[0]).join("; ");
  return { cookie, csrf: reply.body.csrf_token };
}
