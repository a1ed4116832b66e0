import { paths } from "../session";
import { CryptoAllowlistPage } from "./allowlist";
import { CryptoHistoryPage } from "./history";
import { CryptoOverviewPage } from "./overview";
import { CryptoReceivePage } from "./receive";
import { CryptoSendPage } from "./send";
import "./crypto.css";

/** The crypto pages by path: one chunk, loaded the first time one of them opens (./lazy.tsx). */
export default function CryptoPages({ path }: { path: string }) {
  switch (path) {
    case paths.cryptoReceive:
      return <CryptoReceivePage />;
    case paths.cryptoSend:
      return <CryptoSendPage />;
    case paths.cryptoHistory:
      return <CryptoHistoryPage />;
    case paths.cryptoAllowlist:
      return <CryptoAllowlistPage />;
    default:
      return <CryptoOverviewPage />;
  }
}
