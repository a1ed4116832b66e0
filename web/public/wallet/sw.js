/*
 * The wallet app's service worker: it keeps the app shell (the page, its hashed scripts and styles, the icons) so the
 * installed app opens at once and offline. It never stores API answers: balances, payments and codes always come
 * fresh from coffer (and /v1 requests are not even looked at).
 */
const shellCache = "coffer-wallet-shell-v1";
const shellPage = "/wallet/";
const shellFiles = ["/wallet/manifest.webmanifest", "/wallet/icon-192.png", "/wallet/icon-512.png", "/favicon.svg"];

/** The hashed assets the shell page loads, read from the page itself. */
function assetsOf(html) {
  const found = new Set();
  for (const match of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) found.add(match[1]);
  return [...found];
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(shellCache);
      const page = await fetch(shellPage, { cache: "no-store" });
      if (!page.ok) return;
      await cache.put(shellPage, page.clone());
      await cache.addAll([...shellFiles, ...assetsOf(await page.text())]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name !== shellCache) await caches.delete(name);
      await self.clients.claim();
    })(),
  );
});

function isShellAsset(url) {
  return url.pathname.startsWith("/assets/") || shellFiles.includes(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/v1/") || url.pathname.startsWith("/q/")) return; // the API: never cached

  if (request.mode === "navigate" && url.pathname.startsWith("/wallet")) {
    // The page: the network first (a new build shows at once), the kept shell when offline.
    event.respondWith(
      (async () => {
        try {
          const fresh = await fetch(request);
          if (fresh.ok) {
            const cache = await caches.open(shellCache);
            await cache.put(shellPage, fresh.clone());
          }
          return fresh;
        } catch {
          return (await caches.match(shellPage)) ?? Response.error();
        }
      })(),
    );
    return;
  }

  if (isShellAsset(url)) {
    // Hashed names never change content: the kept copy is the right one.
    event.respondWith(
      (async () => {
        const kept = await caches.match(request);
        if (kept) return kept;
        const fresh = await fetch(request);
        if (fresh.ok && url.pathname.startsWith("/assets/")) {
          const cache = await caches.open(shellCache);
          await cache.put(request, fresh.clone());
        }
        return fresh;
      })(),
    );
  }
});
