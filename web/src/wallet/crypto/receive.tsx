import { useState } from "react";
import { CopyButton } from "../../shared/copy-button";
import { Alert, Card, DefinitionList } from "../../shared/ui";
import { svgDataUrl } from "../components";
import { paths } from "../session";
import { CryptoNav, Hex, useAssetFormat, useCryptoAddress, WithAddress } from "./common";
import { useCryptoT } from "./messages";
import { assetsOf, type CryptoAddress, type CryptoAsset } from "./model";

/**
 * Receiving crypto: the wallet's deposit address in its EIP-55 form with a copy button, a QR code per asset (an
 * EIP-681 request, so a wallet app fills in the chain and, for a token, the contract), what each asset needs to be
 * credited, and the warning that only these assets on this chain may be sent here.
 */
export function CryptoReceivePage() {
  const { t } = useCryptoT();
  const address = useCryptoAddress();
  return (
    <>
      <h1>{t("receive.title")}</h1>
      <CryptoNav current={paths.cryptoReceive} />
      <WithAddress state={address}>{(found) => <Receive address={found} />}</WithAddress>
    </>
  );
}

function Receive({ address }: { address: CryptoAddress }) {
  const { t, locale } = useCryptoT();
  const format = useAssetFormat(address);
  const [chosen, setChosen] = useState(0);
  const options = address.assets;
  const asset: CryptoAsset | undefined = options[chosen] ?? options[0];
  // One warning per chain: the assets it carries, by name.
  const chains = [...new Set(options.map((option) => option.chain))].map((chain) => {
    const onChain = options.filter((option) => option.chain === chain);
    return { chain, chainId: onChain[0]?.chain_id ?? 0, assets: onChain.map((option) => option.asset) };
  });
  const listFormat = new Intl.ListFormat(locale, { type: "disjunction" });
  return (
    <>
      {chains.map((chain) => (
        <Alert key={chain.chain} kind="warning">
          {t("receive.warning", {
            assets: listFormat.format(chain.assets),
            chain: chain.chain,
            chainId: chain.chainId,
          })}
        </Alert>
      ))}
      <Card title={t("receive.address")}>
        <p className="crypto-address mono" id="crypto-deposit-address">
          {address.address}
        </p>
        <p className="field-hint">{t("receive.addressHint")}</p>
        <div className="button-row">
          <CopyButton
            value={address.address}
            label={t("receive.copy")}
            copied={t("receive.copied")}
            failed={t("receive.copyFailed")}
          />
        </div>
      </Card>
      {asset ? (
        <Card title={t("receive.asset")}>
          <fieldset className="choice">
            <legend className="visually-hidden">{t("receive.asset")}</legend>
            {options.map((option, index) => (
              <label key={`${option.chain}-${option.asset}`}>
                <input type="radio" name="crypto-asset" checked={index === chosen} onChange={() => setChosen(index)} />
                {assetsOf(address).length === options.length
                  ? option.asset
                  : t("balances.network", { asset: option.asset, chain: option.chain })}
              </label>
            ))}
          </fieldset>
          <figure className="qr crypto-qr">
            <img
              src={svgDataUrl(asset.qr_svg)}
              alt={t("receive.qrAlt", { asset: asset.asset })}
              width={220}
              height={220}
            />
            <figcaption>{t("receive.qrCaption", { asset: asset.asset, chain: asset.chain })}</figcaption>
          </figure>
          <p>
            <a href={asset.uri}>{t("receive.openWallet")}</a>
          </p>
        </Card>
      ) : null}
      <Card title={t("receive.rules")}>
        <ul className="plain-list" aria-label={t("receive.rules")}>
          {options.map((row) => (
            <li key={`${row.chain}-${row.asset}`}>
              <strong>{row.asset}</strong>
              <DefinitionList
                items={[
                  [t("receive.network"), t("send.networkValue", { chain: row.chain, chainId: row.chain_id })],
                  [t("receive.confirmations"), t("receive.confirmationsValue", { count: row.confirmations_required })],
                  [t("receive.minimum"), format(row.minimum_deposit, row.asset)],
                  [
                    t("receive.contract"),
                    row.contract ? <Hex key="contract" value={row.contract} /> : t("receive.native"),
                  ],
                ]}
              />
            </li>
          ))}
        </ul>
        <p className="field-hint">{t("receive.pendingNote")}</p>
      </Card>
    </>
  );
}
