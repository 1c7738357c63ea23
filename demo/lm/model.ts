/**
 * A small causal transformer written with tfjs-core ops (tfjs-core has no layers API): token and
 * position embeddings, `layers` pre-LayerNorm blocks of multi-head causal self-attention and a ReLU MLP,
 * a final LayerNorm and an output projection to the vocabulary. Parameters are `tf.Variable`s when
 * trainable and plain tensors when frozen (the reference model); a {@link Checkpoint} is their values on
 * the host, so every fine-tuning run starts from exactly the same numbers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { normal, type Rng } from './rng.js';
import { CONTEXT, VOCAB_SIZE } from './tokenizer.js';

export interface ModelConfig {
  vocab: number;
  /** Longest input, in tokens. */
  context: number;
  dModel: number;
  heads: number;
  /** Hidden width of the MLP. */
  ff: number;
  layers: number;
}

/** The demo's model: 2 layers, width 48, 4 heads, MLP width 128 (≈ 45k parameters). */
export const LM_CONFIG: ModelConfig = { vocab: VOCAB_SIZE, context: CONTEXT, dModel: 48, heads: 4, ff: 128, layers: 2 };

/** Parameter values on the host: name → (shape, values). */
export type Checkpoint = Map<string, { shape: number[]; values: Float32Array }>;

function parameterShapes(cfg: ModelConfig): [string, number[], 'normal' | 'zeros' | 'ones', number][] {
  const { vocab, context, dModel: d, ff } = cfg;
  const shapes: [string, number[], 'normal' | 'zeros' | 'ones', number][] = [
    ['tokEmb', [vocab, d], 'normal', 0.1],
    ['posEmb', [context, d], 'normal', 0.1],
  ];
  for (let l = 0; l < cfg.layers; l++) {
    shapes.push(
      [`l${l}.ln1.g`, [d], 'ones', 0],
      [`l${l}.ln1.b`, [d], 'zeros', 0],
      [`l${l}.wq`, [d, d], 'normal', 1 / Math.sqrt(d)],
      [`l${l}.wk`, [d, d], 'normal', 1 / Math.sqrt(d)],
      [`l${l}.wv`, [d, d], 'normal', 1 / Math.sqrt(d)],
      [`l${l}.wo`, [d, d], 'normal', 1 / Math.sqrt(d) / Math.sqrt(2 * cfg.layers)],
      [`l${l}.bo`, [d], 'zeros', 0],
      [`l${l}.ln2.g`, [d], 'ones', 0],
      [`l${l}.ln2.b`, [d], 'zeros', 0],
      [`l${l}.w1`, [d, ff], 'normal', 1 / Math.sqrt(d)],
      [`l${l}.b1`, [ff], 'zeros', 0],
      [`l${l}.w2`, [ff, d], 'normal', 1 / Math.sqrt(ff) / Math.sqrt(2 * cfg.layers)],
      [`l${l}.b2`, [d], 'zeros', 0],
    );
  }
  shapes.push(['lnF.g', [d], 'ones', 0], ['lnF.b', [d], 'zeros', 0], ['wOut', [d, vocab], 'normal', 1 / Math.sqrt(d)], ['bOut', [vocab], 'zeros', 0]);
  return shapes;
}

/** Seeded initial parameters (Gaussian weights, unit LayerNorm gains, zero biases). */
export function initCheckpoint(cfg: ModelConfig, rng: Rng): Checkpoint {
  const ckpt: Checkpoint = new Map();
  for (const [name, shape, kind, std] of parameterShapes(cfg)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    for (let i = 0; i < size; i++) values[i] = kind === 'ones' ? 1 : kind === 'zeros' ? 0 : std * normal(rng);
    ckpt.set(name, { shape, values });
  }
  return ckpt;
}

export function parameterCount(ckpt: Checkpoint): number {
  let n = 0;
  for (const { values } of ckpt.values()) n += values.length;
  return n;
}

export class TinyLM {
  readonly params: Map<string, tf.Tensor>;
  private readonly causal: tf.Tensor2D;

  constructor(
    readonly cfg: ModelConfig,
    ckpt: Checkpoint,
    readonly trainable: boolean,
  ) {
    this.params = new Map();
    for (const [name, { shape, values }] of ckpt) {
      const t = tf.tensor(values, shape, 'float32');
      if (trainable) {
        this.params.set(name, tf.variable(t, true));
        t.dispose();
      } else {
        this.params.set(name, t);
      }
    }
    const L = cfg.context;
    const m = new Float32Array(L * L);
    for (let i = 0; i < L; i++) for (let j = i + 1; j < L; j++) m[i * L + j] = -1e9;
    this.causal = tf.tensor2d(m, [L, L]);
  }

  /** The trainable variables (for an optimizer). */
  variables(): tf.Variable[] {
    if (!this.trainable) throw new Error('a frozen model has no variables');
    return [...this.params.values()] as tf.Variable[];
  }

  checkpoint(): Checkpoint {
    const ckpt: Checkpoint = new Map();
    for (const [name, t] of this.params) ckpt.set(name, { shape: [...t.shape], values: Float32Array.from(t.dataSync() as Float32Array) });
    return ckpt;
  }

  dispose(): void {
    for (const t of this.params.values()) t.dispose();
    this.causal.dispose();
  }

  private p(name: string): tf.Tensor {
    const t = this.params.get(name);
    if (t === undefined) throw new Error(`no parameter ${name}`);
    return t;
  }

  private layerNorm(x: tf.Tensor, prefix: string): tf.Tensor {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    return tf.add(tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, tf.scalar(1e-5)))), this.p(`${prefix}.g`)), this.p(`${prefix}.b`));
  }

  /** Next-token logits at every position: tokens int32 [N, L] (L ≤ context) → float32 [N, L, V]. */
  logits(tokens: tf.Tensor2D): tf.Tensor3D {
    const { dModel: d, heads: H, layers, vocab } = this.cfg;
    const [N, L] = tokens.shape;
    const dh = d / H;
    const mask = L === this.cfg.context ? this.causal : tf.slice(this.causal, [0, 0], [L, L]);
    // Embedding lookup as one-hot × table: its gradient is a matMul (tf.gather's needs UnsortedSegmentSum,
    // which the wasm backend lacks).
    const oneHot = tf.reshape(tf.oneHot(tf.reshape(tokens, [N * L]), vocab), [N * L, vocab]);
    const emb = tf.reshape(tf.matMul(oneHot, this.p('tokEmb')), [N, L, d]);
    let x: tf.Tensor = tf.add(emb, tf.slice(this.p('posEmb'), [0, 0], [L, d]));
    const split = (t: tf.Tensor): tf.Tensor => tf.reshape(tf.transpose(tf.reshape(t, [N, L, H, dh]), [0, 2, 1, 3]), [N * H, L, dh]);
    for (let l = 0; l < layers; l++) {
      const h = tf.reshape(this.layerNorm(x, `l${l}.ln1`), [N * L, d]);
      const q = split(tf.matMul(h, this.p(`l${l}.wq`)));
      const k = split(tf.matMul(h, this.p(`l${l}.wk`)));
      const v = split(tf.matMul(h, this.p(`l${l}.wv`)));
      const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, tf.transpose(k, [0, 2, 1])), tf.scalar(1 / Math.sqrt(dh))), mask));
      const o = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v), [N, H, L, dh]), [0, 2, 1, 3]), [N * L, d]);
      x = tf.add(x, tf.reshape(tf.add(tf.matMul(o, this.p(`l${l}.wo`)), this.p(`l${l}.bo`)), [N, L, d]));
      const h2 = tf.reshape(this.layerNorm(x, `l${l}.ln2`), [N * L, d]);
      const f = tf.relu(tf.add(tf.matMul(h2, this.p(`l${l}.w1`)), this.p(`l${l}.b1`)));
      x = tf.add(x, tf.reshape(tf.add(tf.matMul(f, this.p(`l${l}.w2`)), this.p(`l${l}.b2`)), [N, L, d]));
    }
    const out = tf.add(tf.matMul(tf.reshape(this.layerNorm(x, 'lnF'), [N * L, d]), this.p('wOut')), this.p('bOut'));
    return tf.reshape(out, [N, L, vocab]);
  }

  /**
   * Per-token log-probabilities [R, T] of completions [R, T] after prompts [R, P] (both int32):
   * log π(c_t | prompt, c_<t). Differentiable in the parameters. (The demo uses P = PROMPT_LENGTH and
   * T = MAX_COMPLETION; the tests use smaller ones.)
   */
  completionLogProbs(prompts: tf.Tensor2D, completions: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const logp = this.completionLogProbsFull(prompts, completions);
      return tf.sum(tf.mul(logp, tf.oneHot(completions, this.cfg.vocab)), 2) as tf.Tensor2D;
    });
  }

  /** Log-probabilities of the next token after each prefix: int32 [N, L] → float32 [N, V]. */
  nextTokenLogProbs(prefix: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const [N, L] = prefix.shape;
      const last = tf.reshape(tf.slice(this.logits(prefix), [0, L - 1, 0], [N, 1, this.cfg.vocab]), [N, this.cfg.vocab]);
      return tf.logSoftmax(last) as tf.Tensor2D;
    });
  }

  /**
   * Full next-token log-distributions at the completion positions: [R, T, V], for the exact
   * per-position KL between two models on the same sampled prefixes.
   */
  completionLogProbsFull(prompts: tf.Tensor2D, completions: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [R, P] = prompts.shape;
      const T = completions.shape[1];
      const input = T === 1 ? prompts : (tf.concat([prompts, tf.slice(completions, [0, 0], [R, T - 1])], 1) as tf.Tensor2D);
      return tf.logSoftmax(tf.slice(this.logits(input), [0, P - 1, 0], [R, T, this.cfg.vocab])) as tf.Tensor3D;
    });
  }
}
