/**
 * How the SQL stores keep events and snapshots compact. The workflow definition that every
 * `workflow_started` event (and every snapshot) carries is the same for thousands of workflows:
 * it is stored once in `definitions`, keyed by the hash of its JSON, and the event holds only
 * `{ "$definition": hash }`. `type` and `at` have their own columns, so the body leaves them out.
 * Reads put both back, in their places, so callers see the events exactly as they were appended.
 *
 * Bodies other than `workflow_started` (which stays plain JSON, as snapshots do, so SQL can read
 * their definition references) are stored deflated with a preset dictionary of Converge's own vocabulary: a BLOB
 * whose first byte names the dictionary. A TEXT body is plain JSON; both kinds read back the same.
 *
 * Definitions read back are shared between workflows and frozen: nothing may edit one in place.
 */
import { isAscii } from 'node:buffer';
import { createRequire } from 'node:module';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConvergeError } from '../core/errors.js';
import { EVENT_DICTIONARY_V1 } from './event-dictionary.js';
import type { WorkflowDefinition } from '../core/definition-schema.js';
import type { NewEvent, WorkflowEvent } from '../core/events.js';

const REF = '$definition';

export interface StoredDefinition {
  hash: string;
  json: string;
}

/** A body as stored: plain JSON text, or a compressed BLOB. */
export type StoredBody = string | Buffer;

/** The first byte of a compressed body: which dictionary it was deflated with. */
const DICTIONARIES: Record<number, Buffer> = { 1: EVENT_DICTIONARY_V1 };
const CURRENT_DICTIONARY = 1;

export interface EncodedEvent {
  body: StoredBody;
  /** The definition to store (insert-if-missing) in the same transaction as the event. */
  definition?: StoredDefinition;
}

export interface EventRow {
  seq: number;
  type: string;
  at: string;
  body: StoredBody;
}

export class EventCodec {
  /** Parsed, frozen definitions by hash: read once per store, shared by every workflow. */
  readonly #byHash = new Map<string, WorkflowDefinition>();
  /** The engine hands the same definition object to every workflow it starts: hash it once. */
  readonly #hashOf = new WeakMap<object, StoredDefinition>();

  encode(event: NewEvent): EncodedEvent {
    const { seq: _seq, type: _type, at: _at, ...rest } = event as NewEvent & { seq?: number };
    if (event.type !== 'workflow_started') return { body: compress(JSON.stringify(rest)) };
    const definition = this.#stored(event.definition);
    return { body: JSON.stringify({ ...rest, definition: { [REF]: definition.hash } }), definition };
  }

  /**
   * For stores that keep events as JSON values (PostgreSQL): the event with its definition, if it
   * carries one, replaced by a reference, and the definition to store.
   */
  shareDefinition(event: NewEvent): { event: NewEvent; definition?: StoredDefinition } {
    if (event.type !== 'workflow_started') return { event };
    const definition = this.#stored(event.definition);
    return { event: { ...event, definition: { [REF]: definition.hash } } as unknown as NewEvent, definition };
  }

  /** Hashes referenced by these parsed bodies that this codec has not read yet. */
  missingIn(values: readonly unknown[]): string[] {
    const wanted = new Set<string>();
    for (const value of values) {
      const definition = (value as { definition?: unknown } | null)?.definition;
      if (isRef(definition) && !this.#byHash.has(definition[REF])) wanted.add(definition[REF]);
    }
    return [...wanted];
  }

  /** A parsed body with its definition reference, if any, replaced by the definition. */
  restoreDefinition<T>(value: T): T {
    const body = value as { definition?: unknown } | null;
    if (body !== null && isRef(body.definition)) body.definition = this.#definition(body.definition[REF]);
    return value;
  }

  /**
   * The snapshot as stored, with its definition by reference, deflated (fast level, same
   * dictionary as events): a snapshot holds the whole state, megabytes on a long log, and writing
   * it plain cost more than deflating it (the row's pages and the WAL checkpoint they force).
   * Prune reads the reference from `definitionHash`, stored beside the body.
   */
  encodeState(state: unknown): EncodedEvent & { definitionHash?: string } {
    const definition = (state as { definition?: WorkflowDefinition }).definition;
    if (definition === undefined) return { body: compressState(JSON.stringify(state)) };
    if (isRef(definition)) return { body: compressState(JSON.stringify(state)), definitionHash: definition[REF] };
    const stored = this.#stored(definition);
    return { body: compressState(JSON.stringify({ ...(state as object), definition: { [REF]: stored.hash } })), definition: stored, definitionHash: stored.hash };
  }

  /** The JSON text of a stored body. */
  text(body: StoredBody): string {
    if (typeof body === 'string') return body;
    const dictionary = DICTIONARIES[body[0]!];
    if (dictionary === undefined) {
      throw new ConvergeError('STORE_TOO_NEW', `An event in this store is compressed with dictionary ${body[0]}, which this Converge does not know.`, {
        hint: 'The store was written by a newer Converge: upgrade to read it.',
      });
    }
    const bytes = inflateRawSync(body.subarray(1), { dictionary, chunkSize: outputChunk(body.length) });
    // Snapshots are written ASCII-only, so their text decodes to a one-byte string (one non-ASCII
    // character made a 5 MB one two-byte: 36 ms to decode, against 17). Reading ASCII as Latin-1
    // instead was faster alone (0.3 ms) but slower in the log-length bench's long process (an
    // external string: the snapshot part measured 61–71 ms against 38–48 in five runs).
    return bytes.toString('utf8');
  }

  /** Hashes referenced by these bodies that this codec has not read yet. */
  missing(bodies: readonly StoredBody[]): string[] {
    const wanted = new Set<string>();
    for (const body of bodies) {
      // Only workflow_started bodies (always text) and snapshots (passed as text) hold references.
      if (typeof body !== 'string') continue;
      const hash = refIn(body);
      if (hash !== undefined && !this.#byHash.has(hash)) wanted.add(hash);
    }
    return [...wanted];
  }

  /** Teaches the codec a stored definition, read from the `definitions` table. */
  learn(hash: string, json: string): void {
    if (!this.#byHash.has(hash)) this.#byHash.set(hash, deepFreeze(JSON.parse(json) as WorkflowDefinition));
  }

  decode(row: EventRow): WorkflowEvent {
    const body = JSON.parse(this.text(row.body)) as Record<string, unknown>;
    if (isRef(body.definition)) body.definition = this.#definition(body.definition[REF]);
    // Rows written before type and at left the body hold them too, equal to the columns and in
    // the same first places, so spreading the body over them keeps the event as it was.
    return { type: row.type, at: row.at, ...body, seq: row.seq } as unknown as WorkflowEvent;
  }

  decodeState(body: StoredBody): unknown {
    const state = JSON.parse(this.text(body)) as Record<string, unknown>;
    if (isRef(state.definition)) state.definition = this.#definition(state.definition[REF]);
    return state;
  }

  #definition(hash: string): WorkflowDefinition {
    const definition = this.#byHash.get(hash);
    // The definition row is written in the same transaction as the event that names it.
    if (definition === undefined) throw new Error(`Stored definition ${hash} is missing from this store.`);
    return definition;
  }

  #stored(definition: WorkflowDefinition): StoredDefinition {
    let stored = this.#hashOf.get(definition);
    if (stored === undefined) {
      const json = JSON.stringify(definition);
      stored = { hash: sha256().update(json).digest('base64url').slice(0, 32), json };
      this.#hashOf.set(definition, stored);
      this.learn(stored.hash, json);
    }
    return stored;
  }
}

/**
 * Below this many characters a body is deflated with a small stream. Each body is its own deflate
 * stream (a row must decode alone), and for a body of a few hundred bytes the cost is the stream's
 * setup: zlib's default 32 KB window and 64 KB hash table, zeroed, and Node's 16 KB output chunk.
 * A 4 KB window still holds the whole dictionary (3.3 KB), so the bytes are the same; any raw
 * inflater with the dictionary reads them, so rows written either way decode alike.
 */
const SMALL_BODY = 4096;
const SMALL_STREAM = { windowBits: 12, memLevel: 2, chunkSize: 1024 } as const;

function compress(json: string): Buffer {
  const dictionary = DICTIONARIES[CURRENT_DICTIONARY]!;
  const deflated = deflateRawSync(json, json.length <= SMALL_BODY ? { dictionary, ...SMALL_STREAM } : { dictionary });
  return Buffer.concat([Buffer.of(CURRENT_DICTIONARY), deflated]);
}

/** A snapshot's body: level 1, which deflates megabytes of state JSON in a few ms (level 6 takes 3× as long for 10 % less). */
function compressState(json: string): Buffer {
  const dictionary = DICTIONARIES[CURRENT_DICTIONARY]!;
  return Buffer.concat([Buffer.of(CURRENT_DICTIONARY), deflateRawSync(asciiJson(json), { dictionary, level: 1 })]);
}

/**
 * Deflate's output for a body of `stored` bytes is read into chunks of this size (bodies deflate
 * 10–40×). Node's default, 16 KB, costs a 5 MB snapshot hundreds of chunks joined at the end
 * (~16 ms) and a 100-byte event a 16 KB allocation it does not fill. Chunks stop at 1 MB: a 5 MB
 * snapshot inflates in ~2 ms in 1 MB chunks but 16–45 ms in one 5–8 MB chunk (each such buffer
 * is fresh memory the kernel maps page by page).
 */
function outputChunk(stored: number): number {
  return Math.min(1 << 20, Math.max(1024, stored * 32));
}

/** Where the UTF-8 of a JSON text is searched for non-ASCII bytes, a block at a time. */
const ASCII_BLOCK = 64 * 1024;

/**
 * The UTF-8 of a JSON text with every non-ASCII character escaped (`\uXXXX`, as a JSON string
 * allows; JSON.parse gives back the same characters), so a read decodes it to a one-byte string.
 * Non-ASCII characters only occur inside strings, and JSON.stringify escapes lone surrogates, so
 * escaping each UTF-16 unit is exact. The escapes are made in place, in one buffer: a second
 * buffer of megabytes costs more than the escaping (fresh memory, ~17 ms for 5 MB here). The
 * text is written behind room for the escapes, which grow a character by at most 4 bytes per
 * byte its UTF-8 has over its UTF-16 length; blocks without non-ASCII are skipped with isAscii.
 */
function asciiJson(json: string): Buffer {
  const length = Buffer.byteLength(json, 'utf8');
  // UTF-8 and UTF-16 lengths agree only when every character is ASCII.
  if (length === json.length) return Buffer.from(json, 'latin1');
  const room = 4 * (length - json.length);
  const buffer = Buffer.allocUnsafe(room + length);
  buffer.write(json, room, 'utf8');
  // `out` (written) never passes `from` (read): the room left always covers the escapes to come.
  let out = 0;
  let from = room;
  for (let block = room; block < buffer.length; block += ASCII_BLOCK) {
    const blockEnd = Math.min(buffer.length, block + ASCII_BLOCK);
    // A character cut at the block's start was escaped with the block before.
    if (blockEnd <= from || isAscii(buffer.subarray(Math.max(block, from), blockEnd))) continue;
    for (let i = Math.max(block, from); i < blockEnd; i++) {
      if (buffer[i]! < 0x80) continue;
      let end = i + 1;
      while (end < buffer.length && buffer[end]! >= 0x80) end++;
      const escaped = escapeUnits(buffer.toString('utf8', i, end));
      out += buffer.copy(buffer, out, from, i);
      out += buffer.write(escaped, out, 'latin1');
      from = end;
      i = end - 1;
    }
  }
  out += buffer.copy(buffer, out, from);
  return buffer.subarray(0, out);
}

function escapeUnits(text: string): string {
  let escaped = '';
  for (let k = 0; k < text.length; k++) escaped += `\\u${text.charCodeAt(k).toString(16).padStart(4, '0')}`;
  return escaped;
}

/**
 * node:crypto costs a CLI start about 5 ms, and only writing a definition hashes one: `status`
 * and `list` read definitions by the hash already stored, so it is loaded on the first hash.
 */
let hashes: typeof import('node:crypto') | undefined;
function sha256() {
  hashes ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return hashes.createHash('sha256');
}

function isRef(value: unknown): value is { [REF]: string } {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[REF] === 'string';
}

/** A cheap look for a reference without parsing the body. */
function refIn(body: string): string | undefined {
  const at = body.indexOf(`{"${REF}":"`);
  if (at < 0) return undefined;
  const start = at + REF.length + 5;
  return body.slice(start, body.indexOf('"', start));
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
