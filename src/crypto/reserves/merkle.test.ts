import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import {
  buildMerkleSumTree,
  leafEncoding,
  proofFromTree,
  proofSteps,
  type ReservesLeafInput,
  type ReservesProof,
  verifyReservesProof,
} from "./merkle.js";

function leaves(count: number, reportId = "rsv_0123456789ABCDEFGHIJKL"): ReservesLeafInput[] {
  return Array.from({ length: count }, (_, i) => ({
    reportId,
    asset: "USDC",
    walletUserId: `wal_user${String(i).padStart(18, "0")}`,
    balance: BigInt(1 + i * 1_000_003),
    nonce: randomBytes(32).toString("hex"),
  }));
}

describe("reserves Merkle sum tree", () => {
  it("proves every leaf of trees of every shape, and the total is the sum of the balances", () => {
    for (const count of [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33]) {
      const input = leaves(count);
      const tree = buildMerkleSumTree(input);
      const total = input.reduce((sum, leaf) => sum + leaf.balance, 0n);
      assert.equal(tree.root?.sum, total, `${count} leaves`);
      for (const leaf of input) {
        const proof = proofFromTree(tree, leaf.walletUserId)!;
        assert.deepEqual(verifyReservesProof(proof), { ok: true }, `${count} leaves, ${leaf.walletUserId}`);
        assert.equal(proof.total, String(total));
        // Carried-up nodes have no step: never more steps than levels above the leaves.
        assert.ok(proof.path.length <= Math.ceil(Math.log2(count)));
      }
    }
  });

  it("is deterministic (leaves sorted by hash) whatever order the leaves come in", () => {
    const input = leaves(9);
    const a = buildMerkleSumTree(input);
    const b = buildMerkleSumTree([...input].reverse());
    assert.equal(a.root?.hash, b.root?.hash);
    const hashes = a.leaves.map((l) => l.hash);
    assert.deepEqual(hashes, [...hashes].sort());
  });

  it("matches the documented encoding, computed here with node:crypto alone", () => {
    const [leaf] = leaves(1);
    const encoded = `coffer-reserves-leaf:v1|${leaf!.reportId}|USDC|${leaf!.nonce}|${leaf!.walletUserId}|1`;
    assert.equal(leafEncoding(leaf!), encoded);
    const tree = buildMerkleSumTree(leaves(2));
    const [l, r] = tree.levels[0]!;
    const expected = createHash("sha256")
      .update(`coffer-reserves-node:v1|${l!.hash}|${l!.sum}|${r!.hash}|${r!.sum}`)
      .digest("hex");
    assert.equal(tree.root?.hash, expected);
  });

  it("fails a proof whose balance, nonce, sibling hash, sibling sum, side, root or total was altered", () => {
    const tree = buildMerkleSumTree(leaves(6));
    const proof = proofFromTree(tree, tree.leaves[2]!.walletUserId)!;
    const altered: [string, (p: ReservesProof) => void][] = [
      ["balance", (p) => (p.leaf.balance = String(BigInt(p.leaf.balance) + 1n))],
      ["nonce", (p) => (p.leaf.nonce = "0".repeat(64))],
      ["user", (p) => (p.leaf.wallet_user_id = "wal_someoneelse000000000")],
      ["report", (p) => (p.report_id = "rsv_another0000000000000")],
      ["sibling hash", (p) => (p.path[0]!.hash = "f".repeat(64))],
      ["sibling sum", (p) => (p.path[1]!.sum = String(BigInt(p.path[1]!.sum) + 1n))],
      ["side", (p) => (p.path[0]!.side = p.path[0]!.side === "left" ? "right" : "left")],
      ["dropped step", (p) => p.path.pop()],
      ["root", (p) => (p.root = "a".repeat(64))],
      ["total", (p) => (p.total = String(BigInt(p.total) - 1n))],
      ["negative sum", (p) => (p.path[0]!.sum = `-${p.path[0]!.sum}`)],
    ];
    for (const [what, alter] of altered) {
      const copy = structuredClone(proof);
      alter(copy);
      const check = verifyReservesProof(copy);
      assert.equal(check.ok, false, `altered ${what} still verifies`);
    }
  });

  it("refuses malformed proofs without throwing", () => {
    const tree = buildMerkleSumTree(leaves(3));
    const proof = proofFromTree(tree, tree.leaves[0]!.walletUserId)!;
    for (const bad of [
      { ...proof, leaf: null },
      { ...proof, leaf: { ...proof.leaf, balance: "0" } },
      { ...proof, leaf: { ...proof.leaf, balance: "1.5" } },
      { ...proof, asset: "US|DC" },
      { ...proof, path: "nope" },
      { ...proof, path: [null] },
    ]) {
      assert.equal(verifyReservesProof(bad as unknown as ReservesProof).ok, false);
    }
  });

  it("walks the documented path rule: siblings bottom up, none where a node is carried up", () => {
    // 5 leaves: level 0 pairs (0,1) (2,3), 4 carried; level 1 pairs (0,1), 2 carried; level 2 pairs (0,1).
    assert.deepEqual(proofSteps(4, 5), [{ level: 2, position: 0, side: "left" }]);
    assert.deepEqual(proofSteps(3, 5), [
      { level: 0, position: 2, side: "left" },
      { level: 1, position: 0, side: "left" },
      { level: 2, position: 1, side: "right" },
    ]);
    assert.deepEqual(proofSteps(0, 1), []);
    assert.throws(() => proofSteps(5, 5));
  });

  it("has no root without leaves and refuses a non-positive balance", () => {
    assert.equal(buildMerkleSumTree([]).root, null);
    assert.throws(() => buildMerkleSumTree([{ ...leaves(1)[0]!, balance: 0n }]));
  });
});
