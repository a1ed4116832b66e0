import { HDKey } from "@scure/bip32";
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist as english } from "@scure/bip39/wordlists/english.js";
import type { Clock } from "../../clock.js";
import type { Pool, Queryable } from "../../db/pool.js";
import type { SecretBox } from "../../security/encryption.js";
import { addressOfPrivateKey } from "../chain/address.js";
import type { Address, Hex } from "../chain/connector.js";

/**
 * Custody keys. Each mode has one BIP-39 seed (256 bits of entropy), kept encrypted under the master key envelope
 * and decrypted into memory once per process. Every address is a BIP-44 Ethereum path of it,
 * m/44'/60'/0'/0/index: index 0 is the hot wallet, which signs withdrawals and pays gas; the rest are deposit
 * addresses of wallet users and crypto payments, whose keys are derived only to sweep them.
 * The seed is created on first need; two processes that race to create it are settled by the table's key.
 */
export const custodyDerivationPathPrefix = "m/44'/60'/0'/0";
export const hotWalletDerivationIndex = 0;
const mnemonicStrengthBits = 256;

export type CustodyKeys = ReturnType<typeof createCustodyKeys>;

export function createCustodyKeys(deps: { pool: Pool; secrets: SecretBox; clock: Clock }) {
  const roots = new Map<boolean, HDKey>();

  function aadOf(livemode: boolean): string {
    return `crypto_custody_seed:${livemode ? "live" : "test"}`;
  }

  function rootFromMnemonic(mnemonic: string): HDKey {
    if (!validateMnemonic(mnemonic, english)) throw new Error("the custody seed is not a valid BIP-39 mnemonic");
    return HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic));
  }

  function privateKeyFrom(root: HDKey, index: number): Hex {
    if (!Number.isInteger(index) || index < 0 || index >= 2 ** 31) throw new Error(`bad derivation index ${index}`);
    const child = root.derive(`${custodyDerivationPathPrefix}/${index}`);
    if (!child.privateKey) throw new Error(`derivation ${index} gave no private key`);
    return `0x${Buffer.from(child.privateKey).toString("hex")}`;
  }

  function addressFrom(root: HDKey, index: number): Address {
    const child = root.derive(`${custodyDerivationPathPrefix}/${index}`);
    if (!child.privateKey) throw new Error(`derivation ${index} gave no private key`);
    return addressOfPrivateKey(child.privateKey);
  }

  /** Loads the mode's seed, creating it on first need; db is the caller's transaction when it holds one. */
  async function root(livemode: boolean, db: Queryable = deps.pool): Promise<HDKey> {
    const cached = roots.get(livemode);
    if (cached) return cached;
    let found = await db.query<{ mnemonic_ciphertext: string; hot_address: string }>(
      "SELECT mnemonic_ciphertext, hot_address FROM crypto_custody_seeds WHERE livemode = $1",
      [livemode],
    );
    if (!found.rows[0]) {
      const mnemonic = generateMnemonic(english, mnemonicStrengthBits);
      const fresh = rootFromMnemonic(mnemonic);
      const ciphertext = await deps.secrets.encrypt(mnemonic, aadOf(livemode), db);
      const hot = addressFrom(fresh, hotWalletDerivationIndex);
      const now = deps.clock.now();
      await db.query(
        `INSERT INTO crypto_custody_seeds (livemode, mnemonic_ciphertext, hot_address, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (livemode) DO NOTHING`,
        [livemode, ciphertext, hot, now],
      );
      found = await db.query("SELECT mnemonic_ciphertext, hot_address FROM crypto_custody_seeds WHERE livemode = $1", [
        livemode,
      ]);
    }
    const row = found.rows[0]!;
    const mnemonic = await deps.secrets.decryptString(row.mnemonic_ciphertext, aadOf(livemode), db);
    const loaded = rootFromMnemonic(mnemonic);
    // A seed that does not derive the recorded hot wallet was swapped or corrupted: refuse to sign with it.
    if (addressFrom(loaded, hotWalletDerivationIndex) !== row.hot_address) {
      throw new Error(`the ${livemode ? "live" : "test"} custody seed does not derive its recorded hot wallet`);
    }
    await db.query(
      `INSERT INTO crypto_addresses (address, livemode, derivation_index, kind, created_at)
       VALUES ($1, $2, 0, 'hot', $3) ON CONFLICT DO NOTHING`,
      [row.hot_address, livemode, deps.clock.now()],
    );
    roots.set(livemode, loaded);
    return loaded;
  }

  return {
    /** Loads (or creates) the mode's seed, so later derivations inside transactions need no extra connection. */
    async warm(livemode: boolean, db?: Queryable): Promise<void> {
      await root(livemode, db);
    },
    async hotWallet(livemode: boolean, db?: Queryable): Promise<{ address: Address; privateKey: Hex }> {
      const r = await root(livemode, db);
      return { address: addressFrom(r, hotWalletDerivationIndex), privateKey: privateKeyFrom(r, 0) };
    },
    async addressAt(livemode: boolean, index: number, db?: Queryable): Promise<Address> {
      return addressFrom(await root(livemode, db), index);
    },
    /** The signing key of one custody address; only sweeps and the hot wallet's signer ask for one. */
    async privateKeyAt(livemode: boolean, index: number, db?: Queryable): Promise<Hex> {
      return privateKeyFrom(await root(livemode, db), index);
    },
  };
}
