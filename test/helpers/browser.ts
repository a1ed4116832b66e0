import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { type Browser, type BrowserContext, chromium } from "playwright-core";

/**
 * Real Chromium (Debian's package, installed by .ci/run) driven by playwright-core, for the web app's tests.
 * The flags keep Chromium from calling home: this machine's network is closed and those calls would only fail.
 */
const chromiumPathCandidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
const launchTimeoutMs = 30_000;

export function chromiumExecutable(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  const found = chromiumPathCandidates.find((candidate) => existsSync(candidate));
  if (!found) throw new Error("Chromium is not installed: `apt-get install -y chromium` (the CI script does this)");
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumExecutable(),
    headless: true,
    timeout: launchTimeoutMs,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** A fresh browser profile with a language, as a user in that locale would have. */
export async function newBrowserContext(
  browser: Browser,
  options: { baseURL: string; locale?: string; mobile?: boolean },
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL: options.baseURL,
    locale: options.locale ?? "en-US",
    viewport: options.mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
  });
}

const projectRoot = path.resolve(import.meta.dirname, "..", "..");
const webDir = path.join(projectRoot, "web");
export const webDistDir = path.join(webDir, "dist");
const helpDir = path.join(projectRoot, "help");

function newestMtimeMs(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist" || entry.name === ".build-lock") continue;
    const full = path.join(directory, entry.name);
    const mtime = entry.isDirectory() ? newestMtimeMs(full) : statSync(full).mtimeMs;
    if (mtime > newest) newest = mtime;
  }
  return newest;
}

/**
 * When the packages were last installed: npm rewrites node_modules/.package-lock.json on every install, and an
 * install (npm ci after a pull) may bring other versions of the web app's libraries than a build before it used.
 */
function installedAtMs(): number {
  try {
    return statSync(path.join(projectRoot, "node_modules", ".package-lock.json")).mtimeMs;
  } catch {
    return 0;
  }
}

const buildLockDir = path.join(webDir, ".build-lock");
const buildLockWaitMs = 120_000;

/**
 * Builds web/dist when it is missing or older than its sources, so the browser tests test the current code. Test
 * files run in parallel: a lock directory (mkdir is atomic) keeps two of them from building over each other.
 */
export async function ensureWebBuilt(): Promise<string> {
  const builtPage = path.join(webDistDir, "index.html");
  // The help centre's articles (help/) are rendered into the build too.
  const newestSource = () => Math.max(newestMtimeMs(webDir), newestMtimeMs(helpDir), installedAtMs());
  const isStale = () => !existsSync(builtPage) || statSync(builtPage).mtimeMs < newestSource();
  const deadline = Date.now() + buildLockWaitMs;
  while (isStale()) {
    try {
      mkdirSync(buildLockDir);
    } catch {
      if (Date.now() > deadline) throw new Error("the web app build lock was held for too long");
      await new Promise((resolve) => setTimeout(resolve, 250));
      continue;
    }
    try {
      if (isStale()) {
        execFileSync("npm", ["run", "build", "--workspace", "@coffer/web"], { cwd: projectRoot, stdio: "pipe" });
      }
    } finally {
      rmSync(buildLockDir, { recursive: true, force: true });
    }
  }
  return webDistDir;
}

export const screenshotDir = path.join(projectRoot, "docs", "screenshots");
