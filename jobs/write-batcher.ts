/**
 * Group commit for the writes of concurrent jobs: each job submits its own item and awaits its own result, and
 * items submitted while a statement of the same kind is in flight go together in the next one. Nothing waits
 * on a timer: an idle batcher sends at the end of the current event-loop turn, a busy one sends what piled up as
 * soon as a slot frees, so batches grow with load (one statement for N pages instead of N). Postgres pays parse, plan and commit once per batch
 * and the worker one round trip: on the development machine a product-page statement costs the worker ~0.3 ms
 * of CPU alone and under 0.1 ms a page in batches of 4 or more.
 */

export interface WriteBatcher<I, O> {
  /** Resolves with this item's result, or rejects with the error of a statement that ran this item alone. */
  submit(item: I): Promise<O>;
}

export interface WriteBatcherOptions<I, O> {
  /** Writes items in one statement (all or nothing); returns one result per item, in order. */
  write(items: I[]): Promise<O[]>;
  /** Items with the same key never share a batch nor are in flight at once (e.g. one row of a unique key). */
  key(item: I): string;
  /** Largest batch. Default 64. */
  maxBatch?: number;
  /** Statements of this kind in flight at once. Default 2. */
  maxInFlight?: number;
  /**
   * Wait for the end of the current turn of the event loop before sending (default true): jobs resumed by one
   * statement's answer (or started as others end) submit in the same turn, and share the next statement.
   */
  sameTurn?: boolean;
}

interface Pending<I, O> {
  item: I;
  key: string;
  resolve(out: O): void;
  reject(err: unknown): void;
}

/**
 * A batcher over `write`. When a batch fails, each of its items is written alone, so one bad item fails only its
 * own job (a failed statement wrote nothing: every batch is one statement).
 */
export function createWriteBatcher<I, O>(opts: WriteBatcherOptions<I, O>): WriteBatcher<I, O> {
  const maxBatch = opts.maxBatch ?? 64;
  const maxInFlight = opts.maxInFlight ?? 2;
  let pending: Pending<I, O>[] = [];
  const busy = new Set<string>();
  let inFlight = 0;
  let scheduled = false;

  async function writeAlone(p: Pending<I, O>): Promise<void> {
    try {
      const [out] = await opts.write([p.item]);
      p.resolve(out);
    } catch (err) {
      p.reject(err);
    }
  }

  async function run(batch: Pending<I, O>[]): Promise<void> {
    if (batch.length === 1) return writeAlone(batch[0]);
    let outs: O[];
    try {
      outs = await opts.write(batch.map((p) => p.item));
    } catch {
      for (const p of batch) await writeAlone(p);
      return;
    }
    if (outs.length !== batch.length) {
      const err = new Error(`write returned ${outs.length} results for a batch of ${batch.length}`);
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(outs[i]);
  }

  function flush(): void {
    while (inFlight < maxInFlight && pending.length > 0) {
      const batch: Pending<I, O>[] = [];
      const keys = new Set<string>();
      const rest: Pending<I, O>[] = [];
      for (const p of pending) {
        if (batch.length < maxBatch && !keys.has(p.key) && !busy.has(p.key)) {
          batch.push(p);
          keys.add(p.key);
        } else rest.push(p);
      }
      pending = rest;
      if (batch.length === 0) return; // everything left waits for a key in flight
      inFlight++;
      for (const k of keys) busy.add(k);
      void run(batch).finally(() => {
        inFlight--;
        for (const k of keys) busy.delete(k);
        flush();
      });
    }
  }

  const sameTurn = opts.sameTurn ?? true;
  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, key: opts.key(item), resolve, reject });
        if (!sameTurn) return flush();
        if (scheduled) return;
        scheduled = true;
        setImmediate(() => {
          scheduled = false;
          flush();
        });
      });
    },
  };
}
