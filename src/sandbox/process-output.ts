/**
 * Bounded collectors for what a launched process prints. Memory stays bounded however much it
 * prints; each collector keeps the part its caller reads.
 */

/**
 * Keeps the head (how it started) and the tail (where it failed) within `maxBytes`; the middle is
 * dropped and the cut is marked. A check's output, stdout and stderr in arrival order.
 */
export class HeadTailCollector {
  readonly #headLimit: number;
  readonly #tail: TailBuffer;
  #head: Buffer[] = [];
  #headBytes = 0;

  constructor(maxBytes: number) {
    this.#headLimit = Math.floor(maxBytes / 2);
    this.#tail = new TailBuffer(maxBytes - this.#headLimit);
  }

  get totalBytes(): number {
    return this.#headBytes + this.#tail.totalBytes;
  }

  push(chunk: Buffer): void {
    let rest = chunk;
    if (this.#headBytes < this.#headLimit) {
      const take = Math.min(this.#headLimit - this.#headBytes, rest.length);
      this.#head.push(rest.subarray(0, take));
      this.#headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) this.#tail.push(rest);
  }

  toString(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    const omitted = this.#tail.dropped;
    if (omitted === 0) return head + this.#tail.toString();
    // A cut can split a multi-byte character; drop the replacement characters it leaves.
    return `${head.replace(/\uFFFD+$/, '')}\n[… ${omitted} bytes of output omitted …]\n${this.#tail.toString()}`;
  }
}

/** Keeps the last `cap` bytes: an agent's summary and its fatal error come at the end. */
export class TailBuffer {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  /** Bytes dropped from the front to stay within the cap. */
  get dropped(): number {
    return this.#dropped;
  }

  get totalBytes(): number {
    return this.#bytes + this.#dropped;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.#cap) {
      const first = this.#chunks[0];
      if (first === undefined) break;
      const excess = this.#bytes - this.#cap;
      if (first.length <= excess) {
        this.#chunks.shift();
        this.#bytes -= first.length;
        this.#dropped += first.length;
      } else {
        this.#chunks[0] = first.subarray(excess);
        this.#bytes -= excess;
        this.#dropped += excess;
      }
    }
  }

  toString(): string {
    const text = Buffer.concat(this.#chunks).toString('utf8');
    // The cut can split a multi-byte character; drop the replacement character it leaves.
    return this.#dropped > 0 ? text.replace(/^\uFFFD+/, '') : text;
  }
}

/** Keeps everything up to `cap` bytes and says when more came: a report printed on stdout is read whole or not at all. */
export class WholeBuffer {
  readonly #cap: number;
  #chunks: Buffer[] = [];
  #bytes = 0;

  constructor(cap: number) {
    this.#cap = cap;
  }

  get tooLarge(): boolean {
    return this.#bytes > this.#cap;
  }

  push(chunk: Buffer): void {
    this.#bytes += chunk.length;
    if (this.#bytes <= this.#cap) this.#chunks.push(chunk);
  }

  toString(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}
