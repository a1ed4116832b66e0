import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkWebhookUrl, isPublicAddress } from "./ssrf.js";

/** A resolver under the test's control: names → addresses, like a DNS server an attacker runs. */
const names: Record<string, string[]> = {
  "loopback.example": ["127.0.0.1"],
  "rebind.example": ["93.184.216.34", "10.1.2.3"],
  "metadata.example": ["169.254.169.254"],
  "v6loop.example": ["::1"],
  "shop.example": ["93.184.216.34"],
};
const resolve = async (host: string) => {
  const found = names[host];
  if (!found) throw new Error("ENOTFOUND");
  return found.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
};
const live = { livemode: true, localTargets: "test" as const, resolve };

describe("webhook SSRF guard", () => {
  for (const url of [
    "https://127.0.0.1/hook",
    "https://[::1]/hook",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hook",
    "https://2130706433/hook",
    "https://0x7f.0.0.1/hook",
    "https://0177.0.0.1/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:a9fe:a9fe]/hook",
    "https://[fd00:ec2::254]/hook",
    "https://[fe80::1]/hook",
    "https://0.0.0.0/hook",
    "https://loopback.example/hook",
    "https://metadata.example/hook",
    "https://v6loop.example/hook",
    "https://rebind.example/hook",
    "https://localhost/hook",
  ]) {
    it(`refuses ${url} in live mode`, async () => {
      const check = await checkWebhookUrl(url, live);
      assert.equal(check.ok, false);
      if (!check.ok) assert.equal(check.reason, "url_host_not_allowed", check.detail);
    });
  }

  it("refuses http, credentials and junk in live mode", async () => {
    assert.deepEqual(
      await checkWebhookUrl("http://shop.example/hook", live).then((c) => !c.ok && c.reason),
      "url_scheme_not_allowed",
    );
    assert.deepEqual(
      await checkWebhookUrl("https://u:p@shop.example/hook", live).then((c) => !c.ok && c.reason),
      "url_credentials_not_allowed",
    );
    assert.deepEqual(
      await checkWebhookUrl("ftp://shop.example/x", live).then((c) => !c.ok && c.reason),
      "url_scheme_not_allowed",
    );
    assert.deepEqual(await checkWebhookUrl("not a url", live).then((c) => !c.ok && c.reason), "url_invalid");
    assert.deepEqual(
      await checkWebhookUrl("https://nowhere.example/x", live).then((c) => !c.ok && c.reason),
      "url_host_unresolvable",
    );
  });

  it("allows a public host, and pins the address it checked", async () => {
    const check = await checkWebhookUrl("https://shop.example/hook", live);
    assert.equal(check.ok, true);
    if (check.ok) assert.equal(check.address, "93.184.216.34");
  });

  it("allows local targets only in the modes the operator chose", async () => {
    const test = await checkWebhookUrl("http://127.0.0.1:3000/hook", {
      livemode: false,
      localTargets: "test",
      resolve,
    });
    assert.equal(test.ok, true);
    const testRefused = await checkWebhookUrl("http://127.0.0.1:3000/hook", {
      livemode: false,
      localTargets: "none",
      resolve,
    });
    assert.equal(testRefused.ok, false);
    const liveAll = await checkWebhookUrl("https://127.0.0.1/hook", { livemode: true, localTargets: "all", resolve });
    assert.equal(liveAll.ok, true);
  });

  it("classifies addresses", () => {
    assert.equal(isPublicAddress("8.8.8.8"), true);
    assert.equal(isPublicAddress("2606:4700::1111"), true);
    assert.equal(isPublicAddress("127.0.0.53"), false);
    assert.equal(isPublicAddress("::ffff:10.0.0.1"), false);
    assert.equal(isPublicAddress("not-an-ip"), false);
  });
});
