/**
 * The fast path of the JSONL readers: one pass over a line's bytes that checks the JSON grammar of the
 * whole line (objects, arrays, strings with their escapes, numbers, literals) and records where the
 * values of a few known top-level keys are, without building any object. It gives up (returns
 * {@link FALLBACK}) on anything it does not read exactly — a key with an escape, a known value of an
 * unexpected type, any grammar error — and the caller then runs JSON.parse on that line, so a line
 * means the same on both paths and malformed lines get JSON.parse's error message.
 */

/** Value kinds the scanner records. */
export enum Kind {
  None = 0,
  Str = 1,
  StrEscaped = 2,
  Num = 3,
  True = 4,
  False = 5,
  Null = 6,
  Other = 7,
}

/** The line could not be read exactly: use JSON.parse. */
export const FALLBACK = -1;
/** A blank line. */
export const BLANK = 0;
/** A line read exactly. */
export const OK = 1;

/** Known keys, as bytes, and per key the last value seen (JSON.parse also keeps the last duplicate). */
export class KeySlots {
  readonly keys: Buffer[];
  readonly kind: Uint8Array;
  readonly start: Int32Array;
  readonly end: Int32Array;
  private readonly byLength = new Map<number, number[]>();

  constructor(names: readonly string[]) {
    this.keys = names.map((n) => Buffer.from(n, 'utf8'));
    this.kind = new Uint8Array(names.length);
    this.start = new Int32Array(names.length);
    this.end = new Int32Array(names.length);
    this.keys.forEach((k, i) => {
      const list = this.byLength.get(k.length) ?? [];
      list.push(i);
      this.byLength.set(k.length, list);
    });
  }

  /** The slot of the key in buf[s, e), or −1. (A byte loop: keys are short, Buffer.compare's call costs more.) */
  match(buf: Buffer, s: number, e: number): number {
    const list = this.byLength.get(e - s);
    if (list === undefined) return -1;
    for (const i of list) if (sameBytes(buf, s, e, this.keys[i] as Buffer)) return i;
    return -1;
  }
}

/** Whether buf[s, e) equals `key` byte for byte. */
export function sameBytes(buf: Buffer, s: number, e: number, key: Buffer): boolean {
  if (e - s !== key.length) return false;
  for (let j = 0; j < key.length; j++) if (buf[s + j] !== key[j]) return false;
  return true;
}

// Scratch outputs of value(): kind and span of the value just scanned.
let vKind: Kind = Kind.None;
let vStart = 0;
let vEnd = 0;

function ws(buf: Buffer, i: number, end: number): number {
  while (i < end) {
    const c = buf[i] as number;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/** Scans a string starting at the opening quote; returns the index after the closing quote or −1. */
function string(buf: Buffer, i: number, end: number): number {
  let escaped = false;
  const s = i + 1;
  i = s;
  for (;;) {
    if (i >= end) return -1;
    const c = buf[i] as number;
    if (c === 34) break;
    if (c === 92) {
      escaped = true;
      const e = buf[i + 1];
      if (e === 117) {
        if (i + 5 >= end || !isHex(buf[i + 2] as number) || !isHex(buf[i + 3] as number) || !isHex(buf[i + 4] as number) || !isHex(buf[i + 5] as number)) return -1;
        i += 6;
      } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
        i += 2;
      } else return -1;
      continue;
    }
    if (c < 32) return -1;
    i++;
  }
  vKind = escaped ? Kind.StrEscaped : Kind.Str;
  vStart = s;
  vEnd = i;
  return i + 1;
}

function digits(buf: Buffer, i: number, end: number): number {
  const s = i;
  while (i < end) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) break;
    i++;
  }
  return i > s ? i : -1;
}

/** Scans a JSON number (RFC 8259 grammar); returns the index after it or −1. */
function number(buf: Buffer, i: number, end: number): number {
  const s = i;
  if (buf[i] === 45) i++;
  if (buf[i] === 48) i++;
  else {
    const c = buf[i] as number;
    if (!(c >= 49 && c <= 57)) return -1;
    i = digits(buf, i, end);
  }
  if (buf[i] === 46) {
    i = digits(buf, i + 1, end);
    if (i < 0) return -1;
  }
  if (buf[i] === 101 || buf[i] === 69) {
    i++;
    if (buf[i] === 43 || buf[i] === 45) i++;
    i = digits(buf, i, end);
    if (i < 0) return -1;
  }
  vKind = Kind.Num;
  vStart = s;
  vEnd = i;
  return i;
}

function literal(buf: Buffer, i: number, end: number, text: string, kind: Kind): number {
  if (i + text.length > end) return -1;
  for (let j = 1; j < text.length; j++) if (buf[i + j] !== text.charCodeAt(j)) return -1;
  vKind = kind;
  vStart = i;
  vEnd = i + text.length;
  return i + text.length;
}

/** Scans any JSON value at i; returns the index after it or −1. Sets vKind/vStart/vEnd (Other for containers). */
function value(buf: Buffer, i: number, end: number, depth: number): number {
  const c = buf[i];
  if (c === 34) return string(buf, i, end);
  if (c === 123 || c === 91) {
    if (depth > 200) return -1;
    const close = c === 123 ? 125 : 93;
    const s = i;
    i = ws(buf, i + 1, end);
    if (buf[i] === close) i++;
    else {
      for (;;) {
        if (c === 123) {
          if (buf[i] !== 34) return -1;
          i = string(buf, i, end);
          if (i < 0) return -1;
          i = ws(buf, i, end);
          if (buf[i] !== 58) return -1;
          i = ws(buf, i + 1, end);
        }
        i = value(buf, i, end, depth + 1);
        if (i < 0) return -1;
        i = ws(buf, i, end);
        if (buf[i] === 44) {
          i = ws(buf, i + 1, end);
          continue;
        }
        if (buf[i] === close) {
          i++;
          break;
        }
        return -1;
      }
    }
    vKind = Kind.Other;
    vStart = s;
    vEnd = i;
    return i;
  }
  if (c === 116) return literal(buf, i, end, 'true', Kind.True);
  if (c === 102) return literal(buf, i, end, 'false', Kind.False);
  if (c === 110) return literal(buf, i, end, 'null', Kind.Null);
  if (c === 45 || (c !== undefined && c >= 48 && c <= 57)) return number(buf, i, end);
  return -1;
}

/**
 * Scans one line buf[start, end) that should hold one JSON object. Returns {@link BLANK} for a blank
 * line, {@link FALLBACK} when the line is not read exactly, else {@link OK} with `slots` holding the
 * kind and span of each known key's value (Kind.None when absent).
 */
export function scanObject(buf: Buffer, start: number, end: number, slots: KeySlots): number {
  slots.kind.fill(0);
  let i = ws(buf, start, end);
  if (i === end) return BLANK;
  if (buf[i] !== 123) return FALLBACK;
  i = ws(buf, i + 1, end);
  if (buf[i] === 125) return FALLBACK;
  for (;;) {
    if (buf[i] !== 34) return FALLBACK;
    i = string(buf, i, end);
    if (i < 0 || vKind === Kind.StrEscaped) return FALLBACK;
    const slot = slots.match(buf, vStart, vEnd);
    i = ws(buf, i, end);
    if (buf[i] !== 58) return FALLBACK;
    i = ws(buf, i + 1, end);
    i = value(buf, i, end, 1);
    if (i < 0) return FALLBACK;
    if (slot >= 0) {
      slots.kind[slot] = vKind;
      slots.start[slot] = vStart;
      slots.end[slot] = vEnd;
    }
    i = ws(buf, i, end);
    if (buf[i] === 44) {
      i = ws(buf, i + 1, end);
      continue;
    }
    if (buf[i] === 125) {
      i++;
      break;
    }
    return FALLBACK;
  }
  return ws(buf, i, end) === end ? OK : FALLBACK;
}
