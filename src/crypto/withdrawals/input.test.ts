import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import { getAddress } from "viem";
import {
  depositTo,
  externalAddress,
  type OutgoingWorld,
  outgoingRowCounts,
  startOutgoingWorld,
  type TestModeWalletUser,
  testModeWalletUser,
} from "../../../test/helpers/crypto-outgoing.js";
import { manualClock } from "../../clock.js";
import { totpCodeAt } from "../../security/totp.js";

/**
 * What POST /v1/wallet/crypto/withdrawals and the allowlist refuse, and that a refusal writes nothing: amounts,
 * addresses (format, EIP-55 checksum, coffer's own), assets and chains, the allowlist, step-up, funds, and other
 * wallets' objects.
 */
const ether = 10n ** 18n;

describe("crypto withdrawal input", () => {
  const clock = manualClock(new Date());
  let world: OutgoingWorld;
  let user: TestModeWalletUser;
  let other: TestModeWalletUser;
  let totpSecret = "";

  before(async () => {
    world = await startOutgoingWorld({ clock });
    user = await testModeWalletUser(world);
    other = await testModeWalletUser(world);
    await depositTo(world, [{ userId: user.id, asset: "ETH", amount: ether / 10n }]);
  });

  after(async () => {
    await world?.close();
  });

  const withdraw = (client: TestModeWalletUser, body: Record<string, unknown>) =>
    client.client.post("/v1/wallet/crypto/withdrawals", {
      asset: "ETH",
      amount: "1000",
      to_address: externalAddress(),
      ...body,
    });

  /** The request is refused with this status and code, and no table of the outgoing side changed. */
  async function refused(send: () => Promise<LightMyRequestResponse>, status: number, code: string) {
    const before = await outgoingRowCounts(world);
    const response = await send();
    assert.equal(response.statusCode, status, response.body);
    assert.equal(response.json().error.code, code, response.body);
    assert.deepEqual(await outgoingRowCounts(world), before, `${code} wrote nothing`);
    return response.json().error;
  }

  async function nextTotp(): Promise<string> {
    clock.advance(30_000);
    return totpCodeAt(totpSecret, clock.now());
  }

  it("refuses amounts that are not whole positive minor units", async () => {
    for (const amount of ["-1", "0", "1.5", "1e3", "9999999999999999999999999999999999999999", "", "01", -1, 0, 1.5]) {
      await refused(() => withdraw(user, { amount }), 400, "amount_invalid");
    }
  });

  it("refuses addresses that are malformed, mistyped (EIP-55) or coffer's own; accepts all-lowercase", async () => {
    for (const to of ["0x1234", "1234567890123456789012345678901234567890", `0x${"g".repeat(40)}`, "vitalik.eth"]) {
      await refused(() => withdraw(user, { to_address: to }), 400, "crypto_address_invalid");
    }
    const checksummed = getAddress(externalAddress());
    // Flip the case of one letter: still an address, but its checksum no longer matches.
    const at = checksummed.slice(2).search(/[a-fA-F]/) + 2;
    const flipped =
      checksummed[at] === checksummed[at]!.toUpperCase()
        ? checksummed[at]!.toLowerCase()
        : checksummed[at]!.toUpperCase();
    const mistyped = `${checksummed.slice(0, at)}${flipped}${checksummed.slice(at + 1)}`;
    await refused(() => withdraw(user, { to_address: mistyped }), 400, "crypto_address_checksum_invalid");

    const own = (await world.services.crypto.addresses.forWalletUser({ id: user.id, livemode: false })).address;
    const theirs = (await world.services.crypto.addresses.forWalletUser({ id: other.id, livemode: false })).address;
    for (const to of [own, getAddress(theirs), world.hot]) {
      await refused(() => withdraw(user, { to_address: to }), 400, "crypto_address_is_custody");
    }

    const lowercase = await withdraw(user, { to_address: externalAddress() });
    assert.equal(lowercase.statusCode, 201, lowercase.body);
    const checksumOk = await withdraw(user, { to_address: checksummed });
    assert.equal(checksumOk.statusCode, 201, checksumOk.body);
    assert.equal(checksumOk.json().to_address, checksummed);
  });

  it("refuses assets and chains this mode does not have", async () => {
    await refused(() => withdraw(user, { asset: "DOGE" }), 400, "crypto_asset_unsupported");
    const error = await refused(() => withdraw(user, { chain: "ethereum" }), 400, "crypto_asset_unsupported");
    assert.equal(error.param, "chain");
  });

  it("refuses a withdrawal the wallet cannot pay, writing nothing", async () => {
    await refused(() => withdraw(other, { amount: "1000" }), 402, "insufficient_funds");
    // The amount fits but the fee does not.
    await refused(() => withdraw(user, { amount: String(ether / 10n) }), 402, "insufficient_funds");
  });

  it("asks for step-up above the threshold", async () => {
    const twoEther = String(2n * ether);
    const error = await refused(() => withdraw(user, { amount: twoEther }), 403, "step_up_required");
    assert.match(error.message, /enroll/);
    const enrollment = await user.client.post("/v1/wallet/totp");
    assert.equal(enrollment.statusCode, 200, enrollment.body);
    totpSecret = enrollment.json().secret;
    const confirmed = await user.client.post("/v1/wallet/totp/confirm", {
      code: await totpCodeAt(totpSecret, clock.now()),
    });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    await refused(() => withdraw(user, { amount: twoEther, step_up: { totp: "000000" } }), 403, "step_up_failed");
    // With a good second factor it goes on to the ledger, which finds the wallet short.
    const code = await nextTotp();
    await refused(() => withdraw(user, { amount: twoEther, step_up: { totp: code } }), 402, "insufficient_funds");
  });

  it("keeps to the allowlist when the wallet is allowlist-only; changing it needs a second factor", async () => {
    const trusted = getAddress(externalAddress());
    const add = (body: Record<string, unknown>) => user.client.post("/v1/wallet/crypto/allowlist", body);
    await refused(() => add({ address: trusted }), 403, "step_up_required");
    await refused(() => add({ address: world.hot, step_up: { totp: "123456" } }), 400, "crypto_address_is_custody");
    const added = await add({ address: trusted, label: "my cold wallet", step_up: { totp: await nextTotp() } });
    assert.equal(added.statusCode, 201, added.body);
    assert.equal(added.json().address, trusted);
    await refused(() => add({ address: trusted.toLowerCase() }), 409, "crypto_allowlist_entry_exists");

    const on = await user.client.post("/v1/wallet/crypto/withdrawal_settings", { allowlist_only: true });
    assert.equal(on.statusCode, 200, on.body);
    assert.equal(on.json().allowlist_only, true);
    await refused(() => withdraw(user, { to_address: externalAddress() }), 403, "crypto_address_not_allowlisted");
    const allowed = await withdraw(user, { to_address: trusted.toLowerCase() });
    assert.equal(allowed.statusCode, 201, allowed.body);

    await refused(
      () => user.client.post("/v1/wallet/crypto/withdrawal_settings", { allowlist_only: false }),
      403,
      "step_up_required",
    );
    const off = await user.client.post("/v1/wallet/crypto/withdrawal_settings", {
      allowlist_only: false,
      step_up: { totp: await nextTotp() },
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal((await user.client.get("/v1/wallet/crypto/withdrawal_settings")).json().allowlist_only, false);

    const entryId = added.json().id;
    assert.equal((await other.client.delete(`/v1/wallet/crypto/allowlist/${entryId}`)).statusCode, 404);
    assert.equal((await user.client.get("/v1/wallet/crypto/allowlist")).json().data.length, 1);
    const removed = await user.client.delete(`/v1/wallet/crypto/allowlist/${entryId}`);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal((await user.client.get("/v1/wallet/crypto/allowlist")).json().data.length, 0);
  });

  it("shows a wallet its own withdrawals only", async () => {
    const mine = await withdraw(user, {});
    assert.equal(mine.statusCode, 201, mine.body);
    const id = mine.json().id;
    assert.equal((await user.client.get(`/v1/wallet/crypto/withdrawals/${id}`)).statusCode, 200);
    const theirs = await other.client.get(`/v1/wallet/crypto/withdrawals/${id}`);
    assert.equal(theirs.statusCode, 404);
    assert.equal(theirs.json().error.code, "resource_not_found");
    assert.equal((await other.client.get("/v1/wallet/crypto/withdrawals/cwd_nope")).statusCode, 404);
    assert.equal((await other.client.get("/v1/wallet/crypto/withdrawals")).json().data.length, 0);
    const operator = await world.app.inject({
      method: "GET",
      url: "/v1/ops/crypto/hot_wallet",
      headers: { "x-test-operator": "reviewer" },
    });
    assert.equal(operator.statusCode, 403, "reviewers do not see the hot wallet");
  });

  it("answers a retried request with the same withdrawal (Idempotency-Key)", async () => {
    const body = { asset: "ETH", amount: "1000", to_address: externalAddress() };
    const headers = { "idempotency-key": "crypto-withdrawal-retry-1" };
    const first = await user.client.post("/v1/wallet/crypto/withdrawals", body, headers);
    assert.equal(first.statusCode, 201, first.body);
    const counts = await outgoingRowCounts(world);
    const again = await user.client.post("/v1/wallet/crypto/withdrawals", body, headers);
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(again.json().id, first.json().id);
    assert.deepEqual(await outgoingRowCounts(world), counts, "one withdrawal, one transaction");
  });
});
