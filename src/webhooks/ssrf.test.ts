import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkWebhookUrl, isLoopbackAddress, isPublicAddress } from "./ssrf.js";

/** A resolver under the test's control: names → addresses, like a DNS server an attacker runs. */
const names: Record<string, string[]> = {
  "loopback.example": ["127.0.0.1"],
  "rebind.example": ["93.184.216.34", "10.1.2.3"],
  "metadata.example": ["169.254.169.254"],
  "v6loop.example": ["::1"],
  "shop.example": ["93.184.216.34"],
  "compat.example": ["::7f00:1"],
  "nat64.example": ["2606:4700::1111", "64:ff9b::a9fe:a9fe"],
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

  // Every IPv6 form that carries or reaches an internal IPv4 address, and the IPv6 ranges where no receiver lives.
  // Test mode with local targets off: http is allowed there, so only the host decides.
  const testNoLocal = { livemode: false, localTargets: "none" as const, resolve };
  for (const url of [
    "http://[::7f00:1]/", // IPv4-compatible ::/96
    "http://[::127.0.0.1]/",
    "http://[::a9fe:a9fe]/",
    "http://[::808:808]/", // deprecated and never routed, even around a public address
    "http://[::]/",
    "http://[::ffff:0:7f00:1]/", // IPv4-translated ::ffff:0:0:0/96
    "http://[::ffff:0:a00:1]/",
    "http://[::ffff:7f00:1]/", // IPv4-mapped, hex and dotted, leading zeros, upper case
    "http://[0:0:0:0:0:FFFF:7F00:0001]/",
    "http://[::ffff:0.0.0.0]/",
    "http://[64:ff9b::7f00:1]/", // NAT64's well-known prefix
    "http://[64:ff9b::10.0.0.1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[64:ff9b:1::808:808]/", // local-use NAT64, refused whole
    "http://[2002:7f00:1::1]/", // 6to4 around 127.0.0.1
    "http://[2002:c0a8:101::1]/", // … 192.168.1.1
    "http://[2002:a9fe:a9fe::]/", // … 169.254.169.254
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", // Teredo
    "http://[2001:db8::1]/", // documentation
    "http://[3fff::1]/",
    "http://[100::1]/", // discard-only
    "http://[fc00::1]/", // unique-local
    "http://[fd12:3456:789a::1]/",
    "http://[fe80::1]/", // link-local
    "http://[febf::1]/",
    "http://[fec0::1]/", // site-local
    "http://[ff02::1]/", // multicast
    "http://[ff05::1:3]/",
    "http://compat.example/", // a name that resolves to one of these
    "http://nat64.example/",
  ]) {
    it(`refuses ${url} even in test mode`, async () => {
      const check = await checkWebhookUrl(url, testNoLocal);
      assert.equal(check.ok, false, url);
      if (!check.ok) assert.equal(check.reason, "url_host_not_allowed", check.detail);
    });
  }

  for (const url of [
    "http://[64:ff9b::808:808]/", // NAT64 to 8.8.8.8: how an IPv6-only host reaches an IPv4-only receiver
    "http://[2002:808:808::1]/", // 6to4 to a public tunnel end
    "http://[::ffff:8.8.8.8]/",
    "http://[2606:4700::1111]/",
  ]) {
    it(`allows ${url}, which reaches a public address`, async () => {
      const check = await checkWebhookUrl(url, testNoLocal);
      assert.equal(check.ok, true, url);
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
    assert.equal(isPublicAddress("fe80::1%eth0"), false, "a zone id is not a public address");
    assert.equal(isPublicAddress("::ffff:0:7f00:1"), false);
    assert.equal(isPublicAddress("64:ff9b::8.8.8.8"), true);
    assert.equal(isLoopbackAddress("::ffff:127.0.0.1"), true);
    assert.equal(isLoopbackAddress("::1"), true);
    assert.equal(isLoopbackAddress("::2"), false);
  });
});
