import { resolve } from "node:path";
import optimizeLocales from "@react-aria/optimize-locales-plugin";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { helpArticlesPlugin } from "./help-articles";

/**
 * One build, four pages, so each audience loads only its own code: the merchant console (/), the operator console
 * (/ops), the wallet app (/wallet) and the hosted checkout (/checkout/{id}). coffer serves dist/ itself.
 */
const root = import.meta.dirname;

export default defineConfig({
  root,
  base: "/",
  // The help centre's Markdown articles (help/<locale>/*.md) are rendered here, at build time.
  // React Aria carries its own texts for 30-odd languages; only the two the apps speak are kept (ADR 0030).
  plugins: [
    react(),
    helpArticlesPlugin(),
    { ...optimizeLocales.vite({ locales: ["en-US", "zh-CN"] }), enforce: "pre" },
  ],
  build: {
    outDir: resolve(root, "dist"),
    emptyOutDir: true,
    sourcemap: false,
    // A chunk this large (unzipped) warns; each page's first load has its own budget, 150 KB gzipped (src/limits.ts).
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      input: {
        console: resolve(root, "index.html"),
        ops: resolve(root, "ops.html"),
        wallet: resolve(root, "wallet.html"),
        checkout: resolve(root, "checkout.html"),
      },
    },
  },
  server: {
    // `npm run dev -w @coffer/web` next to a running coffer: the API stays same-origin for cookies.
    proxy: { "/v1": "http://127.0.0.1:3000", "/q": "http://127.0.0.1:3000" },
  },
});
