import { mount } from "../shared/mount";
import { App } from "./app";
import "./wallet.css";

// The app lives under /wallet/, the service worker's scope: a page opened at /wallet is reloaded there, so the
// installed app's shell serves it next time.
if (location.pathname === "/wallet") location.replace(`/wallet/${location.search}${location.hash}`);
else mount(App);

// Installable and quick to open: the service worker keeps the app shell (never API answers) for the next start.
if ("serviceWorker" in navigator && window.isSecureContext) {
  window.addEventListener("load", () => {
    navigator.serviceWorker.register("/wallet/sw.js", { scope: "/wallet/" }).catch(() => undefined);
  });
}
