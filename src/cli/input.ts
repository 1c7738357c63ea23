/**
 * Input bytes for the CLI: a file or `-` (stdin), gunzipped when it is gzip (by the `.gz` extension or
 * the 1f 8b magic bytes), a UTF-8 byte-order mark dropped, then cut into lines (LF or CRLF) without
 * decoding the whole input to strings.
 */
import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** Bad input data: a malformed line, a file that cannot be read, an estimator that rejects a task (exit 1). */
export class DataError extends Error {
  override name = 'DataError';
}

/** The display name of an input (`<stdin>` for `-`). */
export function inputName(path: string): string {
  return path === '-' ? '<stdin>' : path;
}

function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'Z_DATA_ERROR' || e.code === 'Z_BUF_ERROR') return `not valid gzip data (${e.message})`;
  return e.code ?? e.message;
}

/**
 * Streams the decompressed bytes of `path` (`-` = stdin). Throws a {@link DataError} naming the input
 * when it cannot be opened, read or gunzipped.
 */
export async function* inputChunks(path: string, stdin: Readable = process.stdin): AsyncGenerator<Buffer> {
  const name = inputName(path);
  if (path !== '-' && !path.endsWith('.gz')) {
    // A plain file: synchronous reads into one reused buffer (no stream scheduling, no allocation per
    // chunk). Consumers copy what they keep. Gzip data (by magic bytes) goes to the stream path.
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      throw new DataError(`cannot read ${name}: ${errorText(err)}`);
    }
    let gz = false;
    try {
      const buf = Buffer.allocUnsafe(1 << 20);
      let first = true;
      for (;;) {
        let n: number;
        try {
          if (first && fstatSync(fd).isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
          n = readSync(fd, buf, 0, buf.length, null);
        } catch (err) {
          throw new DataError(`cannot read ${name}: ${errorText(err)}`);
        }
        if (n === 0) return;
        let view = buf.subarray(0, n);
        if (first) {
          first = false;
          if (n >= 2 && view[0] === 0x1f && view[1] === 0x8b) {
            gz = true;
            break;
          }
          if (n >= 3 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) view = view.subarray(3);
        }
        if (view.length > 0) yield view;
      }
    } finally {
      closeSync(fd);
    }
    if (!gz) return;
  }
  const source: Readable = path === '-' ? stdin : createReadStream(path, { highWaterMark: 1 << 16 });
  let first = true;
  let stream: AsyncIterable<Buffer> = source;
  let gunzip: ReturnType<typeof createGunzip> | undefined;
  try {
    const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
    let head = await it.next();
    // Peek at the first chunk for the gzip magic bytes.
    let headBuf = head.done === true ? Buffer.alloc(0) : toBuffer(head.value);
    // A stream may deliver fewer than 2 bytes first; gather at least 2 when available.
    while (head.done !== true && headBuf.length < 2) {
      head = await it.next();
      if (head.done !== true) headBuf = Buffer.concat([headBuf, toBuffer(head.value)]);
    }
    const isGzip = (headBuf.length >= 2 && headBuf[0] === 0x1f && headBuf[1] === 0x8b) || (path.endsWith('.gz') && headBuf.length > 0);
    const rest = async function* (): AsyncGenerator<Buffer> {
      if (headBuf.length > 0) yield headBuf;
      if (head.done === true) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield toBuffer(r.value);
      }
    };
    if (isGzip) {
      gunzip = createGunzip();
      const g = gunzip;
      const feed = (async () => {
        try {
          for await (const chunk of rest()) if (!g.write(chunk)) await new Promise((r) => g.once('drain', r));
          g.end();
        } catch (err) {
          g.destroy(err as Error);
        }
      })();
      void feed;
      stream = g;
    } else {
      stream = rest();
    }
    for await (const chunk of stream) {
      let buf = toBuffer(chunk);
      if (first) {
        first = false;
        if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      }
      if (buf.length > 0) yield buf;
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read ${name}: ${errorText(err)}`);
  } finally {
    gunzip?.destroy();
    if (path !== '-') source.destroy();
  }
}

function toBuffer(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * Calls `onLine(buf, start, end, lineNo)` for every line of the input; `end` excludes the LF and a
 * trailing CR. Lines are views into the chunk buffers (a line cut by a chunk boundary is copied once).
 */
export async function forEachLine(
  chunks: AsyncIterable<Buffer>,
  onLine: (buf: Buffer, start: number, end: number, lineNo: number) => void,
  /**
   * Optional bulk reader: given buf[start, end) holding only complete lines (each ending in LF) and the
   * number of the line before the first, reads them all and returns how many, or −1 to decline (then
   * `onLine` gets them one by one).
   */
  onBlock?: (buf: Buffer, start: number, end: number, lineNo: number) => number,
): Promise<number> {
  let carry: Buffer | null = null;
  let lineNo = 0;
  for await (const buf of chunks) {
    let start = 0;
    if (carry !== null) {
      // Only the line cut by the chunk boundary is copied.
      const nl = buf.indexOf(10);
      if (nl < 0) {
        carry = Buffer.concat([carry, buf]);
        continue;
      }
      const line = Buffer.concat([carry, buf.subarray(0, nl)]);
      carry = null;
      const end = line.length > 0 && line[line.length - 1] === 13 ? line.length - 1 : line.length;
      onLine(line, 0, end, ++lineNo);
      start = nl + 1;
    }
    if (onBlock !== undefined) {
      const last = buf.lastIndexOf(10);
      if (last >= start) {
        const n = onBlock(buf, start, last + 1, lineNo);
        if (n >= 0) {
          lineNo += n;
          start = last + 1;
        }
      }
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      onLine(buf, start, end, ++lineNo);
      start = nl + 1;
    }
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== null && carry.length > 0) {
    const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    onLine(carry, 0, end, ++lineNo);
  }
  return lineNo;
}
