/**
 * One at a time per key, in this process: the spends of one wallet run their limit check and their ledger
 * submission in turn. The ledger hook stays the binding check (another process may spend from the same wallet);
 * this only keeps a burst of parallel requests from one wallet from failing hooks, which would make the batch
 * writer re-plan batches that carry other wallets' money too. A wallet's spends are serialized by its ledger
 * account lock anyway, so this costs that wallet nothing it had.
 */
export interface KeyedQueue {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

export function createKeyedQueue(): KeyedQueue {
  const tails = new Map<string, Promise<unknown>>();
  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(task, task);
      const tail = result.catch(() => {});
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
  };
}
