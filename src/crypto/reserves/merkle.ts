import { createHash } from "node:crypto";

/**
 * The Merkle sum tree of wallet users' liabilities, one per report and asset (docs/crypto.md, "Proof of reserves").
 * Pure: no database, no clock, so a user can run the same checks (verifyReservesProof) on what the API gave them.
 *
 * - Leaf: the UTF-8 string `coffer-reserves-leaf:v1|<report id>|<asset>|<nonce>|<wallet user id>|<balance>`,
 *   hashed with SHA-256; its sum is the balance (minor units, decimal). The nonce is 32 random bytes (hex) per user
 *   and report, so a hash cannot be matched to a user or a balance by trying candidates. No field can hold a `|`.
 * - Node: SHA-256 of `coffer-reserves-node:v1|<left hash>|<left sum>|<right hash>|<right sum>`; its sum is the sum
 *   of both. Both children's sums are inside the hash, so a prover cannot shift value between siblings or hide a
 *   negative one (sums are digit strings); the prefixes keep a leaf from passing for a node.
 * - Order: leaves sorted by hash, ascending (random, since the nonce is), then paired left to right. A level with an
 *   odd number of nodes carries its last node up unchanged; a proof has no step at that level.
 * - Root: the one node left; its sum is the total the tree proves. A tree with no leaf has no root.
 *
 * Privacy: a proof shows its own leaf, then one sibling hash and sum per level. The first sibling is another user's
 * leaf, so its sum is that user's balance, without who they are; nothing else is about a single user.
 */
export const reservesLeafDomain = "coffer-reserves-leaf:v1";
export const reservesNodeDomain = "coffer-reserves-node:v1";
export const reservesNonceBytes = 32;

export interface ReservesLeafInput {
  reportId: string;
  asset: string;
  walletUserId: string;
  balance: bigint;
  /** Hex, reservesNonceBytes long. */
  nonce: string;
}

export interface MerkleNode {
  hash: string;
  sum: bigint;
}

export interface MerkleSumTree<L extends ReservesLeafInput = ReservesLeafInput> {
  /** In tree order (by leaf hash), each with its hash. */
  leaves: (L & { hash: string })[];
  /** levels[0] are the leaves' nodes; the last level holds the root alone. Empty for a tree with no leaf. */
  levels: MerkleNode[][];
  root: MerkleNode | null;
}

/** One step of an inclusion proof: the sibling's hash and sum, and on which side it sits. */
export interface ReservesProofStep {
  side: "left" | "right";
  hash: string;
  sum: string;
}

/** An inclusion proof as the API serves it (GET /v1/wallet/reserves_proof) and verifyReservesProof checks it. */
export interface ReservesProof {
  report_id: string;
  asset: string;
  root: string;
  total: string;
  leaf: { wallet_user_id: string; balance: string; nonce: string };
  path: ReservesProofStep[];
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

export function leafEncoding(leaf: ReservesLeafInput): string {
  return [reservesLeafDomain, leaf.reportId, leaf.asset, leaf.nonce, leaf.walletUserId, leaf.balance.toString()].join(
    "|",
  );
}

export function leafHash(leaf: ReservesLeafInput): string {
  return sha256(leafEncoding(leaf));
}

export function nodeHash(left: MerkleNode, right: MerkleNode): string {
  return sha256(`${reservesNodeDomain}|${left.hash}|${left.sum}|${right.hash}|${right.sum}`);
}

export function buildMerkleSumTree<L extends ReservesLeafInput>(input: readonly L[]): MerkleSumTree<L> {
  const leaves = input
    .map((leaf) => {
      if (leaf.balance <= 0n) throw new Error(`reserves leaf of ${leaf.walletUserId}: balance must be positive`);
      return { ...leaf, hash: leafHash(leaf) };
    })
    .sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  if (leaves.length === 0) return { leaves, levels: [], root: null };
  const levels: MerkleNode[][] = [leaves.map((leaf) => ({ hash: leaf.hash, sum: leaf.balance }))];
  for (let level = levels[0]!; level.length > 1; ) {
    const next: MerkleNode[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1];
      next.push(right ? { hash: nodeHash(left, right), sum: left.sum + right.sum } : left);
    }
    levels.push(next);
    level = next;
  }
  return { leaves, levels, root: levels.at(-1)![0]! };
}

/**
 * Where the siblings of a leaf are: one per level that has one (a carried node has none), bottom up. The side is
 * the sibling's: "right" when the path's node is a left child.
 */
export function proofSteps(
  position: number,
  leafCount: number,
): { level: number; position: number; side: "left" | "right" }[] {
  if (!Number.isInteger(position) || position < 0 || position >= leafCount) {
    throw new Error(`leaf position ${position} is outside a tree of ${leafCount} leaves`);
  }
  const steps: { level: number; position: number; side: "left" | "right" }[] = [];
  for (let level = 0, at = position, width = leafCount; width > 1; level++) {
    const sibling = at ^ 1;
    if (sibling < width) steps.push({ level, position: sibling, side: at % 2 === 0 ? "right" : "left" });
    at = Math.floor(at / 2);
    width = Math.ceil(width / 2);
  }
  return steps;
}

/** The proof of one leaf of a tree held in memory (the service reads the same siblings from the database). */
export function proofFromTree(tree: MerkleSumTree, walletUserId: string): ReservesProof | undefined {
  const position = tree.leaves.findIndex((leaf) => leaf.walletUserId === walletUserId);
  const leaf = tree.leaves[position];
  if (!leaf || !tree.root) return undefined;
  return {
    report_id: leaf.reportId,
    asset: leaf.asset,
    root: tree.root.hash,
    total: tree.root.sum.toString(),
    leaf: { wallet_user_id: leaf.walletUserId, balance: leaf.balance.toString(), nonce: leaf.nonce },
    path: proofSteps(position, tree.leaves.length).map((step) => {
      const node = tree.levels[step.level]![step.position]!;
      return { side: step.side, hash: node.hash, sum: node.sum.toString() };
    }),
  };
}

export type ReservesProofCheck = { ok: true } | { ok: false; reason: string };

const digits = /^(0|[1-9][0-9]*)$/;
const hex256 = /^[0-9a-f]{64}$/;
const fieldWithoutSeparator = /^[^|]+$/;
const proofStepsMax = 64; // a tree of 2^64 leaves: more steps than any real tree has is a malformed proof

/**
 * Checks an inclusion proof: recomputes the leaf hash from its fields, folds the path into a root, and compares that
 * root's hash and sum with the published root and total. It proves the leaf is counted in the total; that the leaf
 * is yours and right (your id, your balance when the report ran) is for you to compare.
 */
export function verifyReservesProof(proof: ReservesProof): ReservesProofCheck {
  const { leaf } = proof;
  for (const [name, value] of [
    ["report_id", proof.report_id],
    ["asset", proof.asset],
    ["leaf.wallet_user_id", leaf?.wallet_user_id],
  ] as const) {
    if (typeof value !== "string" || !fieldWithoutSeparator.test(value)) return fail(`${name} is missing or has a |`);
  }
  if (typeof leaf.balance !== "string" || !digits.test(leaf.balance) || leaf.balance === "0") {
    return fail("leaf.balance must be a positive whole number of minor units");
  }
  if (typeof leaf.nonce !== "string" || !hex256.test(leaf.nonce)) return fail("leaf.nonce must be 64 hex digits");
  if (typeof proof.root !== "string" || !hex256.test(proof.root)) return fail("root must be 64 hex digits");
  if (typeof proof.total !== "string" || !digits.test(proof.total)) return fail("total must be a whole number");
  if (!Array.isArray(proof.path) || proof.path.length > proofStepsMax) return fail("path must be a list of steps");

  let node: MerkleNode = {
    hash: leafHash({
      reportId: proof.report_id,
      asset: proof.asset,
      walletUserId: leaf.wallet_user_id,
      balance: BigInt(leaf.balance),
      nonce: leaf.nonce,
    }),
    sum: BigInt(leaf.balance),
  };
  for (const [i, step] of proof.path.entries()) {
    if (step?.side !== "left" && step?.side !== "right") return fail(`path[${i}].side must be left or right`);
    if (typeof step.hash !== "string" || !hex256.test(step.hash)) return fail(`path[${i}].hash must be 64 hex digits`);
    if (typeof step.sum !== "string" || !digits.test(step.sum)) return fail(`path[${i}].sum must be a whole number`);
    const sibling = { hash: step.hash, sum: BigInt(step.sum) };
    const [left, right] = step.side === "left" ? [sibling, node] : [node, sibling];
    node = { hash: nodeHash(left, right), sum: left.sum + right.sum };
  }
  if (node.hash !== proof.root) return fail("the path does not lead to the published root");
  if (node.sum !== BigInt(proof.total)) return fail("the sums along the path do not add up to the published total");
  return { ok: true };
}

function fail(reason: string): ReservesProofCheck {
  return { ok: false, reason };
}
