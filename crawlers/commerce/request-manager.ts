/**
 * The request manager of our long-lived page crawlers: a FIFO of pending requests and the set of those in progress,
 * nothing else. crawlee's default, a RequestQueue over in-memory storage,
 * is built for crawls that end: it keeps every request it ever handled, walks them all each time the pool asks
 * whether a request is ready, and validates each call against schemas. A worker's crawler runs for weeks and is fed
 * one request per job, so that cost grows with its age; here a handled request is forgotten and every operation is
 * O(1). Requests come in only through `add` (jobs, via `runPageCrawler`), keyed by a `uniqueKey` unique per fetch.
 * crawlee 3 takes any IRequestManager, but HttpCrawler's option check refuses its `requestManager` option, so the
 * crawlers pass this as `requestQueue`; crawlee then uses it as its request manager (BasicCrawler.initializeRequestManager).
 */
import {
  type IRequestManager,
  Request,
  type RequestQueue,
  type RequestQueueOperationInfo,
  type Source,
} from '@crawlee/core';

/** What `add` takes: the fields `runPageCrawler` sets on a request. */
export interface ManagedRequest {
  url: string;
  uniqueKey: string;
  label: string;
  userData: Record<string, unknown>;
}

/** What crawlee is told of an operation on `request` (a handled request is forgotten, so never "already handled"). */
function infoOf(request: Request, wasAlreadyPresent: boolean, forefront = false): RequestQueueOperationInfo {
  return {
    requestId: request.id!,
    uniqueKey: request.uniqueKey,
    wasAlreadyPresent,
    wasAlreadyHandled: false,
    forefront,
  };
}

export class InMemoryRequestManager implements IRequestManager {
  private markPolled!: () => void;
  /**
   * Resolves when the crawler's pool first asks whether a request is ready: its run has begun (crawlee's pool polls
   * at once when it starts running, and only then unless someone calls its `notify()` early). `wasPolled` says so
   * synchronously.
   */
  readonly polled = new Promise<void>((resolve) => {
    this.markPolled = resolve;
  });
  private polledOnce = false;
  get wasPolled(): boolean {
    return this.polledOnce;
  }
  /** Pending requests, oldest first; `head` is the index of the next one (the array is compacted as it drains). */
  private pending: Request[] = [];
  private head = 0;
  /** Pending and in-progress requests by uniqueKey: a key present here is not added twice. */
  private readonly live = new Map<string, Request>();
  private readonly inProgress = new Set<Request>();
  private handled = 0;
  private total = 0;
  private nextId = 0;

  /** This manager as a crawler's `requestQueue` option takes it (see the note above): crawlee uses it as given. */
  get asCrawlerQueue(): RequestQueue {
    return this as unknown as RequestQueue;
  }

  /** Queues requests (a `uniqueKey` already pending or in progress is skipped); what happened to each, in order. */
  add(
    requests: readonly (ManagedRequest | Source)[],
    opts: { forefront?: boolean } = {},
  ): RequestQueueOperationInfo[] {
    const forefront = opts.forefront ?? false;
    const out: RequestQueueOperationInfo[] = [];
    const added: Request[] = [];
    for (const r of requests) {
      const request = r instanceof Request ? r : new Request(r as ManagedRequest);
      const existing = this.live.get(request.uniqueKey);
      if (existing) {
        out.push(infoOf(existing, true, forefront));
        continue;
      }
      request.id ??= `r${++this.nextId}`;
      this.live.set(request.uniqueKey, request);
      this.total++;
      added.push(request);
      out.push(infoOf(request, false, forefront));
    }
    if (forefront) this.pending.splice(this.head, 0, ...added.reverse());
    else for (const request of added) this.pending.push(request);
    return out;
  }

  async isFinished(): Promise<boolean> {
    return this.pendingLength() === 0 && this.inProgress.size === 0;
  }

  async isEmpty(): Promise<boolean> {
    if (!this.polledOnce) {
      this.polledOnce = true;
      this.markPolled();
    }
    return this.pendingLength() === 0;
  }

  async handledCount(): Promise<number> {
    return this.handled;
  }

  getTotalCount(): number {
    return this.total;
  }

  getPendingCount(): number {
    return this.pendingLength() + this.inProgress.size;
  }

  async fetchNextRequest<T extends Record<string, unknown>>(): Promise<Request<T> | null> {
    if (this.pendingLength() === 0) return null;
    const request = this.pending[this.head];
    this.pending[this.head++] = undefined as unknown as Request;
    if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    this.inProgress.add(request);
    return request as unknown as Request<T>;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Request> {
    for (;;) {
      const request = await this.fetchNextRequest();
      if (!request) return;
      yield request;
    }
  }

  /** Done with (success or final failure): forgotten. */
  async markRequestHandled(request: Request): Promise<RequestQueueOperationInfo | null> {
    if (!this.inProgress.delete(request)) {
      if (this.live.get(request.uniqueKey) !== request) return null;
      this.removePending(request); // handled without being fetched
    }
    this.live.delete(request.uniqueKey);
    this.handled++;
    request.handledAt ??= new Date().toISOString();
    return infoOf(request, true);
  }

  /** A retry: back in line (crawlee has already bumped its retry count). */
  async reclaimRequest(
    request: Request,
    options: { forefront?: boolean } = {},
  ): Promise<RequestQueueOperationInfo | null> {
    if (!this.inProgress.delete(request)) return null;
    if (options.forefront) this.pending.splice(this.head, 0, request);
    else this.pending.push(request);
    return infoOf(request, true, options.forefront);
  }

  async addRequest(
    source: Source,
    options: { forefront?: boolean } = {},
  ): Promise<RequestQueueOperationInfo> {
    return this.add([source], options)[0];
  }

  async addRequestsBatched(
    requests: Parameters<IRequestManager['addRequestsBatched']>[0],
    options: { forefront?: boolean } = {},
  ): ReturnType<IRequestManager['addRequestsBatched']> {
    const list: Source[] = [];
    for await (const r of requests as AsyncIterable<Source | string> | Iterable<Source | string>)
      list.push(typeof r === 'string' ? { url: r } : r);
    return { addedRequests: this.add(list, options), waitForAllRequestsToBeAdded: Promise.resolve([]) };
  }

  private pendingLength(): number {
    return this.pending.length - this.head;
  }

  private removePending(request: Request): void {
    const i = this.pending.indexOf(request, this.head);
    if (i >= 0) this.pending.splice(i, 1);
  }
}
