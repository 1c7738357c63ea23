/**
 * The language model's tokenizer: one character per token over a 16-symbol vocabulary. A prompt is
 * `x?y=` (four tokens: two digits, an operator, `=`); a completion is an answer such as `12`, `-3` or `56`
 * followed by the end token `.`, at most {@link MAX_COMPLETION} tokens including the end token.
 */

/** The vocabulary; index = token id. `.` ends a completion (and pads, under mask 0). */
export const VOCAB = ['.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '*', '-', '?', '='] as const;
export const VOCAB_SIZE = VOCAB.length;
export const EOS = 0;
/** Prompt length in tokens (`x`, operator, `y`, `=`). */
export const PROMPT_LENGTH = 4;
/** Longest completion, in tokens, including the end token. */
export const MAX_COMPLETION = 3;
/** Model context: the prompt plus every completion token but the last (which is only predicted). */
export const CONTEXT = PROMPT_LENGTH + MAX_COMPLETION - 1;

const ID = new Map<string, number>(VOCAB.map((c, i) => [c, i]));

/** Token ids of a string of vocabulary characters; throws on any other character. */
export function encode(text: string): number[] {
  return [...text].map((c) => {
    const id = ID.get(c);
    if (id === undefined) throw new Error(`character ${JSON.stringify(c)} is not in the vocabulary ${VOCAB.join('')}`);
    return id;
  });
}

/** The string of a list of token ids. */
export function decode(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) s += VOCAB[ids[i] as number] ?? '�';
  return s;
}

/**
 * A completion (token ids, length MAX_COMPLETION, padded with EOS) as the answer text before its end
 * token, and its length in tokens including the end token (MAX_COMPLETION when it never ends).
 */
export function completionText(ids: ArrayLike<number>): { text: string; length: number } {
  let text = '';
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t] as number;
    if (id === EOS) return { text, length: t + 1 };
    text += VOCAB[id];
  }
  return { text, length: ids.length };
}

/** Answer text of a number: `12`, `-3`. */
export function answerText(value: number): string {
  return String(value);
}
