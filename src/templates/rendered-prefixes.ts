/**
 * Rendered prompt prefixes, kept so a prefix is rendered once and reused while its inputs stay
 * the same: the handbook once per template, the workflow's inputs once per workflow.
 *
 * A template's text before each top-level `{% cache_breakpoint %}` is a segment. A segment's
 * output is kept with the exact inputs its render read (recorded as it ran, so an input reached
 * only through a partial, a condition or a `[name]` lookup counts too), and reused only when every
 * one of them is equal again: a changed input means a new render, never a stale prompt.
 *
 * The parts of a template share one render context, so a segment also depends on, and leaves,
 * the context's state: variables `assign`ed or `capture`d, `for` offsets and `cycle` positions.
 * A kept render records that state before and after; it is reused only when the state before is
 * the same, and its state after is restored. A render that could differ with the same inputs
 * (`date`, `sample`) or that changes the inputs themselves (`increment`) or stops the template
 * (a top-level `break`) is never kept, and its segment is rendered every time from then on.
 */

export interface Segment {
  /** False once a render of it had effects beyond its text; then it is never kept. */
  cacheable: boolean;
  entries: Entry[];
}

/** A render context's state a later part of the template can see. */
export interface ContextState {
  locals: Record<string, unknown>;
  registers: Record<string, unknown>;
}

export interface Kept {
  text: string;
  /** The context's state after the render, to restore (a copy, never shared between renders). */
  after: ContextState;
}

interface Entry {
  segment: Segment;
  /** The variables the render read, and their values then. */
  names: string[];
  values: unknown[];
  before: ContextState;
  after: ContextState;
  text: string;
  size: number;
}

/** No variables, no registers: the state of a fresh context, and after most prefixes. Never changed. */
export const EMPTY_STATE: ContextState = Object.freeze({ locals: Object.freeze({}), registers: Object.freeze({}) }) as ContextState;

export function isEmptyState(state: ContextState): boolean {
  for (const _ in state.locals) return false;
  for (const _ in state.registers) return false;
  return true;
}

function sameInputs(entry: Entry, vars: Readonly<Record<string, unknown>>): boolean {
  for (let i = 0; i < entry.names.length; i++) if (!sameValue(vars[entry.names[i]!], entry.values[i])) return false;
  return true;
}

/** What a recording render saw: the variables it read, and whether it did more than read. */
export interface Reads {
  names: Set<string>;
  sideEffects: boolean;
}

/** How many renders of one segment are kept: enough for the workflows a worker runs at once. */
const PER_SEGMENT = 64;
/** All kept renders and the inputs they hold, in UTF-16 code units (about 8 MB). */
const DEFAULT_BUDGET = 4_000_000;

export class RenderedPrefixes {
  /** Every entry, least recently used first. */
  #lru = new Set<Entry>();
  #size = 0;

  constructor(private readonly budget = DEFAULT_BUDGET) {}

  /** The kept render of `segment` whose inputs and context state before all equal these, if any. */
  get(segment: Segment, vars: Readonly<Record<string, unknown>>, before: ContextState): Kept | undefined {
    for (const entry of segment.entries) {
      if (!sameInputs(entry, vars) || !sameValue(before, entry.before)) continue;
      this.#lru.delete(entry);
      this.#lru.add(entry);
      return { text: entry.text, after: entry.after === EMPTY_STATE ? EMPTY_STATE : structuredClone(entry.after) };
    }
    return undefined;
  }

  /**
   * Keeps a render, unless a value it read or a state cannot be compared or the render is too
   * large. `before` must be the caller's own copy, taken before the render.
   */
  put(segment: Segment, reads: ReadonlySet<string>, vars: Readonly<Record<string, unknown>>, before: ContextState, after: ContextState, text: string): void {
    if (!isPlainData(before) || !isPlainData(after)) return;
    const names = [...reads];
    const values: unknown[] = [];
    let size = text.length + sizeOf(before) + sizeOf(after);
    for (const name of names) {
      const value = vars[name];
      if (!isPlainData(value)) return;
      values.push(copyOf(value));
      size += sizeOf(value);
    }
    if (size > this.budget / 8) return;
    const entry: Entry = { segment, names, values, before: isEmptyState(before) ? EMPTY_STATE : before, after: isEmptyState(after) ? EMPTY_STATE : structuredClone(after), text, size };
    segment.entries.unshift(entry);
    this.#lru.add(entry);
    this.#size += size;
    if (segment.entries.length > PER_SEGMENT) this.#drop(segment.entries.at(-1)!);
    for (const oldest of this.#lru) {
      if (this.#size <= this.budget) break;
      this.#drop(oldest);
    }
  }

  /** Forgets every render of these segments (their template changed on disk). */
  forget(segments: readonly Segment[]): void {
    for (const segment of segments) for (const entry of [...segment.entries]) this.#drop(entry);
  }

  #drop(entry: Entry): void {
    const list = entry.segment.entries;
    list.splice(list.indexOf(entry), 1);
    this.#lru.delete(entry);
    this.#size -= entry.size;
  }
}

/**
 * The variables as Liquid sees them, recording each top-level name it looks up (present or not).
 * Listing, writing or deleting variables is a side effect: such a render is not kept.
 */
export function recordingScope(vars: Record<string, unknown>, reads: Reads): Record<string, unknown> {
  const read = (key: string | symbol) => {
    if (typeof key === 'string') reads.names.add(key);
  };
  const effect = () => {
    reads.sideEffects = true;
  };
  return new Proxy(vars, {
    has: (target, key) => (read(key), Reflect.has(target, key)),
    get: (target, key, receiver) => (read(key), Reflect.get(target, key, receiver)),
    getOwnPropertyDescriptor: (target, key) => (read(key), Reflect.getOwnPropertyDescriptor(target, key)),
    ownKeys: (target) => (effect(), Reflect.ownKeys(target)),
    set: (target, key, value, receiver) => (effect(), Reflect.set(target, key, value, receiver)),
    defineProperty: (target, key, attributes) => (effect(), Reflect.defineProperty(target, key, attributes)),
    deleteProperty: (target, key) => (effect(), Reflect.deleteProperty(target, key)),
  });
}

/** Strings, numbers, booleans, null and undefined, and arrays and plain objects of them. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'number' || type === 'boolean') return true;
  if (type !== 'object' || depth > 8) return false;
  if (Array.isArray(value)) return value.every((v) => isPlainData(v, depth + 1));
  const proto = Object.getPrototypeOf(value) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(value as object).every((v) => isPlainData(v, depth + 1));
}

/** Arrays and objects copied, so a later change to the caller's value cannot match a kept render. */
function copyOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null ? structuredClone(value) : value;
}

function sizeOf(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 8;
  return JSON.stringify(value).length;
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  // Key order counts: Liquid iterates an object's keys in order.
  if (keysA.length !== keysB.length) return false;
  return keysA.every((key, i) => keysB[i] === key && sameValue((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}
