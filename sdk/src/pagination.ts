/** A page of a list, as coffer answers it. */
export interface ListPage<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}

export type ListQuery = { limit?: number; starting_after?: string; ending_before?: string } & object;

/**
 * What a list method returns: await it for one page, or iterate it with `for await` for every item across pages
 * (it asks for the next page with `starting_after` = the last id; with `ending_before` it walks the other way).
 * Nothing is requested until it is awaited or iterated.
 */
export class ListPromise<T extends { id: string }> implements PromiseLike<ListPage<T>>, AsyncIterable<T> {
  readonly #fetchPage: (query: ListQuery) => Promise<ListPage<T>>;
  readonly #query: ListQuery;
  #firstPage: Promise<ListPage<T>> | undefined;

  constructor(fetchPage: (query: ListQuery) => Promise<ListPage<T>>, query: ListQuery = {}) {
    this.#fetchPage = fetchPage;
    this.#query = query;
  }

  // biome-ignore lint/suspicious/noThenProperty: awaiting a list gives its first page, by design.
  then<A = ListPage<T>, B = never>(
    onFulfilled?: ((page: ListPage<T>) => A | PromiseLike<A>) | null,
    onRejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#first().then(onFulfilled, onRejected);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    const backward = this.#query.ending_before !== undefined;
    let page = await this.#first();
    for (;;) {
      // Backward pages come in list order; walk each from the end so items keep moving away from the cursor.
      yield* backward ? [...page.data].reverse() : page.data;
      const edge = backward ? page.data[0] : page.data.at(-1);
      if (!page.has_more || !edge) return;
      const { starting_after: _after, ending_before: _before, ...rest } = this.#query;
      page = await this.#fetchPage(
        backward ? { ...rest, ending_before: edge.id } : { ...rest, starting_after: edge.id },
      );
    }
  }

  /** Every item across pages, up to `max` (a guard against loading a huge list into memory by mistake). */
  async toArray(max = 10_000): Promise<T[]> {
    const items: T[] = [];
    for await (const item of this) {
      if (items.length === max) throw new RangeError(`the list has more than ${max} items; iterate it instead`);
      items.push(item);
    }
    return items;
  }

  #first(): Promise<ListPage<T>> {
    this.#firstPage ??= this.#fetchPage(this.#query);
    return this.#firstPage;
  }
}
