import type { DeviceKeyPair } from "./code";

/**
 * This phone's offline payment state, in IndexedDB: per wallet (an account, or a prepaid card), the device's key
 * pair — a Web Crypto CryptoKey is stored as it is, and its private half was made non-extractable, so it never
 * leaves the browser — the certificate coffer signed for it, and the last counter used. Nothing here needs the
 * network: with the certificate stored, codes are made offline.
 */
export interface OfflineCertificate {
  object: "offline_certificate";
  id: string;
  livemode: boolean;
  currency: string;
  cap: string;
  merchant: string | null;
  remaining: string;
  status: "active" | "released";
  kid: string;
  certificate: string;
  issued_at: number;
  expires_at: number;
  settle_before: number;
}

export interface OfflineDevice {
  /** "card:svc_…" or "account:wal_…". */
  owner: string;
  keys: DeviceKeyPair;
  certificate: OfflineCertificate | null;
  /** The last counter a code was made with: the next code takes the one after (coffer settles each once). */
  counter: number;
  /** When `certificate.remaining` was last read from coffer (ms), or null: as issued. */
  checkedAt: number | null;
}

const dbName = "coffer-wallet-offline";
const dbVersion = 1;
const devices = "devices";
/** Which wallet a session token belongs to (by the token's SHA-256), so an account's device is found offline. */
const owners = "owners";

let opened: Promise<IDBDatabase> | null = null;

function database(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName, dbVersion);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(devices)) db.createObjectStore(devices, { keyPath: "owner" });
      if (!db.objectStoreNames.contains(owners)) db.createObjectStore(owners, { keyPath: "token" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  }).catch((error) => {
    opened = null;
    throw error;
  });
  return opened;
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("the offline store's transaction was aborted"));
  });
}

export async function readDevice(owner: string): Promise<OfflineDevice | undefined> {
  const db = await database();
  return done(db.transaction(devices).objectStore(devices).get(owner) as IDBRequest<OfflineDevice | undefined>);
}

export async function writeDevice(device: OfflineDevice): Promise<void> {
  const db = await database();
  const tx = db.transaction(devices, "readwrite");
  tx.objectStore(devices).put(device);
  await committed(tx);
}

/**
 * Takes the next counter for a code and stores it before the code exists, in one transaction: a code shown, then a
 * crash, never leads to its counter being used again.
 */
export async function takeCounter(owner: string): Promise<number> {
  const db = await database();
  const tx = db.transaction(devices, "readwrite");
  const store = tx.objectStore(devices);
  const device = (await done(store.get(owner))) as OfflineDevice | undefined;
  if (!device) throw new Error("no offline device on this phone");
  const counter = device.counter + 1;
  store.put({ ...device, counter });
  await committed(tx);
  return counter;
}

async function tokenDigest(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function ownerOfToken(token: string): Promise<string | undefined> {
  // Digested first: a transaction ends when it has nothing to do across an await of something else.
  const digest = await tokenDigest(token);
  const db = await database();
  const found = (await done(db.transaction(owners).objectStore(owners).get(digest))) as
    | { token: string; owner: string }
    | undefined;
  return found?.owner;
}

export async function rememberOwner(token: string, owner: string): Promise<void> {
  const digest = await tokenDigest(token);
  const db = await database();
  const tx = db.transaction(owners, "readwrite");
  tx.objectStore(owners).put({ token: digest, owner });
  await committed(tx);
}
