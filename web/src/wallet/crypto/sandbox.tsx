import { type FormEvent, useState } from "react";
import { parseUnits } from "../../shared/crypto-amount";
import { Alert, Button, Card, SelectField, TextField } from "../../shared/ui";
import { useAction } from "../../shared/use-async";
import { useSession } from "../session";
import { CryptoProblem, useAssetFormat } from "./common";
import { type CryptoMessageKey, useCryptoT } from "./messages";
import { assetsOf, type CryptoAddress, sandboxMineBlocksMax, type TestChain, type TestDeposit } from "./model";

/**
 * Test mode's sandbox chain (src/crypto/deposits test helpers): a real transaction of pretend coins to this wallet's
 * deposit address, and empty blocks to confirm it. Like the wallet's sandbox banner, it never shows in live mode.
 */
export function SandboxPanel({ address, onChanged }: { address: CryptoAddress; onChanged(): void }) {
  const { t } = useCryptoT();
  const { api } = useSession();
  const format = useAssetFormat(address);
  const assets = assetsOf(address);
  const [assetCode, setAssetCode] = useState(assets[0]?.asset ?? "");
  const asset = assets.find((candidate) => candidate.asset === assetCode) ?? assets[0];
  const [amount, setAmount] = useState("");
  const [amountError, setAmountError] = useState<string | null>(null);
  const [blocks, setBlocks] = useState("1");
  const [blocksError, setBlocksError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const deposit = useAction(async (minor: string) => {
    const sent = await api.post<TestDeposit>("/v1/wallet/test_helpers/crypto/deposit", {
      asset: asset?.asset,
      amount: minor,
    });
    setDone(t("sandbox.deposited", { amount: format(sent.amount, sent.asset) }));
    setAmount("");
    onChanged();
  });
  const mine = useAction(async (count: number) => {
    const chain = await api.post<TestChain>("/v1/wallet/test_helpers/crypto/mine", { blocks: count });
    setDone(t("sandbox.mined", { head: chain.head }));
    onChanged();
  });

  if (!asset) return null;
  const submitDeposit = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const parsed = parseUnits(amount, asset.decimals);
    setAmountError(parsed.ok ? null : t(`amount.${parsed.reason}` as CryptoMessageKey));
    if (parsed.ok) void deposit.run(parsed.minor);
  };
  const submitMine = (event: FormEvent) => {
    event.preventDefault();
    setDone(null);
    const count = Number(blocks);
    const valid = /^\d+$/.test(blocks.trim()) && count >= 1 && count <= sandboxMineBlocksMax;
    setBlocksError(valid ? null : t("blocks.invalid", { max: sandboxMineBlocksMax }));
    if (valid) void mine.run(count);
  };

  return (
    <Card title={t("sandbox.title")}>
      <p className="field-hint">{t("sandbox.intro")}</p>
      <form onSubmit={submitDeposit} noValidate>
        <div className="form-row">
          <SelectField
            label={t("sandbox.asset")}
            value={asset.asset}
            onChange={(event) => setAssetCode(event.target.value)}
          >
            {assets.map((option) => (
              <option key={option.asset} value={option.asset}>
                {option.asset}
              </option>
            ))}
          </SelectField>
          <TextField
            label={t("sandbox.amount", { asset: asset.asset })}
            inputMode="decimal"
            autoComplete="off"
            value={amount}
            error={amountError}
            onChange={(event) => setAmount(event.target.value)}
          />
        </div>
        <Button type="submit" variant="secondary" pending={deposit.pending}>
          {t("sandbox.deposit")}
        </Button>
      </form>
      <CryptoProblem error={deposit.error} />
      <form onSubmit={submitMine} noValidate className="crypto-mine">
        <TextField
          label={t("sandbox.blocks")}
          inputMode="numeric"
          autoComplete="off"
          value={blocks}
          error={blocksError}
          onChange={(event) => setBlocks(event.target.value)}
        />
        <Button type="submit" variant="secondary" pending={mine.pending}>
          {t("sandbox.mine")}
        </Button>
      </form>
      <CryptoProblem error={mine.error} />
      <div role="status" aria-live="polite">
        {done ? <Alert kind="success">{done}</Alert> : null}
      </div>
    </Card>
  );
}
