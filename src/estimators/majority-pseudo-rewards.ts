/**
 * Label-free rewards from majority voting (test-time RL, TTRL: Zuo et al., arXiv 2504.16084): each
 * sample earns 1 when its answer agrees with the majority answer of its group, so unlabeled prompts can
 * be trained on. Math, the two vote rules and the bias they carry: docs/estimators/majority-pseudo-rewards.md.
 */
import { DomainError, InvalidArgumentError, ShapeError, show } from '../errors.js';
import { BATCH_KEYS, outputArray, resolveLayout, type BatchOptions, type Layout } from '../groups.js';
import type { Answer } from '../registry.js';
import { checkArrayLike, checkChoice, checkFiniteArray, checkOptions } from '../validate.js';
import { TIE_POLICIES, type TiePolicy } from './majority-vote.js';

/**
 * Whose votes make sample i's label.
 * - `'all'`: the mode of all votes of the group, sample i's own included (TTRL's rule). A sample's own
 *   vote pulls the label towards its answer: with few votes this self-reinforces whatever the policy
 *   already says.
 * - `'loo'`: the mode of the other votes (a_i left out), so no sample votes for its own reward.
 */
export type PseudoVote = 'all' | 'loo';

/** Options of {@link majorityPseudoRewards}. */
export interface MajorityPseudoRewardsOptions extends BatchOptions {
  /**
   * Whose votes label sample i; see {@link PseudoVote}.
   * @defaultValue `'all'`
   */
  vote?: PseudoVote;
  /**
   * A tie for the most votes: `'split'` gives each tied answer 1/t (t tied answers), `'fail'` gives 0.
   * @defaultValue `'split'`
   */
  ties?: TiePolicy;
  /**
   * More votes that are not trained on (e.g. vote over 64 samples, train on 16): they join every
   * group's vote. One group: all of them; batched: laid out by `extraVoteOffsets`, or split evenly
   * over the B groups.
   */
  extraVotes?: ArrayLike<Answer>;
  /** B + 1 offsets cutting `extraVotes` into groups (ragged). */
  extraVoteOffsets?: ArrayLike<number>;
  /**
   * The true 0/1 rewards of the training samples, for the diagnostics `labelAccuracy` and
   * `rewardAccuracy` (never used for the pseudo-rewards).
   */
  trueRewards?: ArrayLike<number>;
  /** True 0/1 rewards of `extraVotes`, needed only when a group's majority answer occurs only among them. */
  extraTrueRewards?: ArrayLike<number>;
  /** Write the pseudo-rewards here (length = number of training samples). */
  out?: Float64Array;
}

/** What {@link majorityPseudoRewards} returns. */
export interface MajorityPseudoRewards {
  /** One pseudo-reward per training sample, in input order: 1, 1/t on a split tie, or 0. */
  readonly rewards: Float64Array;
  /** Per group: the majority answer of all its votes (null when every vote is null, or on a tie: see `tied`). */
  readonly mode: readonly (string | number | null)[];
  /** Per group: the answers tied for the most votes (one answer when there is no tie). */
  readonly tied: readonly (readonly (string | number)[])[];
  /** Per group: votes of the majority answer / all votes V (nulls included); 0 when every vote is null. */
  readonly majorityRatio: Float64Array;
  /**
   * Per group, with `trueRewards`: whether the majority label is correct (the mean correctness of the
   * tied answers under `'split'`, 0 for a tie under `'fail'`).
   */
  readonly labelAccuracy?: Float64Array;
  /** Per group, with `trueRewards`: mean over the training samples of 1 − |pseudo-reward − true reward|. */
  readonly rewardAccuracy?: Float64Array;
}

function checkAnswerValue(v: unknown, name: string, i: number): v is string | number {
  if (v === null || v === undefined) return false;
  if (typeof v === 'string') return true;
  if (typeof v === 'number') {
    if (Number.isNaN(v)) {
      throw new InvalidArgumentError(name, `${name} must not contain NaN (use null for no answer) (got NaN at index ${i})`);
    }
    return true;
  }
  throw new InvalidArgumentError(name, `${name} must contain strings, numbers, null or undefined (got ${show(v)} at index ${i})`);
}

function checkBinary(values: ArrayLike<number>, name: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== 0 && v !== 1) throw new DomainError(name, `${name} must be 0 or 1 (got ${show(v)} at index ${i})`);
  }
}

/** The extra votes' layout: B + 1 offsets into `extraVotes`. */
function extraLayout(length: number, layout: Layout, opts: MajorityPseudoRewardsOptions | undefined): Int32Array {
  const B = layout.groups;
  if (opts?.extraVoteOffsets !== undefined) {
    if (opts.extraVotes === undefined) {
      throw new InvalidArgumentError('opts.extraVoteOffsets', 'opts.extraVoteOffsets needs opts.extraVotes (got none)');
    }
    const l = resolveLayout(length, { groupOffsets: opts.extraVoteOffsets }, 'opts.extraVotes', 'opts.extraVoteOffsets');
    if (l.groups !== B) {
      throw new ShapeError('opts.extraVoteOffsets', `opts.extraVoteOffsets must give B = ${B} groups (got ${l.groups})`);
    }
    return l.offsets;
  }
  if (length % B !== 0) {
    throw new ShapeError(
      'opts.extraVotes',
      `opts.extraVotes must split evenly over the ${B} groups, or come with opts.extraVoteOffsets (got ${length} votes)`,
    );
  }
  const per = length / B;
  return Int32Array.from({ length: B + 1 }, (_, b) => b * per);
}

/**
 * TTRL pseudo-rewards: r_i = 1 when sample i's answer is the majority answer of its group's votes (all
 * votes, or the others' under `vote: 'loo'`), 1/t when it is one of t answers tied for the most votes
 * (`ties: 'split'`; 0 under `'fail'`), and 0 otherwise; a null answer never wins and earns 0. The
 * rewards then feed any estimator (pass@k, maj@k, GRPO, …), which then optimises agreement with the
 * majority, not correctness: see the docs for the bias. O(V) per group.
 *
 * @param answers - one parsed answer per training sample (string or number; null/undefined = none).
 * @example
 * ```ts
 * majorityPseudoRewards(['7', '7', '8', null]).rewards; // Float64Array [1, 1, 0, 0]
 * majorityPseudoRewards(['7', '7', '8', null], { vote: 'loo' }).rewards; // [0.5, 0.5, 0, 0]
 * majorityPseudoRewards(['7', '8'], { extraVotes: ['8', '8'], trueRewards: [1, 0] });
 * // { rewards: [0, 1], mode: ['8'], majorityRatio: [0.75], labelAccuracy: [0], rewardAccuracy: [0], … }
 * ```
 */
export function majorityPseudoRewards(answers: ArrayLike<Answer>, opts?: MajorityPseudoRewardsOptions): MajorityPseudoRewards {
  checkOptions(opts, 'majorityPseudoRewards', [
    ...BATCH_KEYS,
    'vote',
    'ties',
    'extraVotes',
    'extraVoteOffsets',
    'trueRewards',
    'extraTrueRewards',
  ]);
  const arr = checkArrayLike(answers, 'answers') as ArrayLike<Answer>;
  const vote = checkChoice(opts?.vote, 'opts.vote', ['all', 'loo'] as const, 'all');
  const ties = checkChoice(opts?.ties, 'opts.ties', TIE_POLICIES, 'split');
  const layout = resolveLayout(arr.length, opts, 'answers');
  const extra = opts?.extraVotes === undefined ? undefined : (checkArrayLike(opts.extraVotes, 'opts.extraVotes') as ArrayLike<Answer>);
  const extraOffsets = extra === undefined ? undefined : extraLayout(extra.length, layout, opts);
  if (opts?.extraVoteOffsets !== undefined && extra === undefined) extraLayout(0, layout, opts);
  const truth = opts?.trueRewards === undefined ? undefined : checkFiniteArray(opts.trueRewards, 'opts.trueRewards');
  if (truth !== undefined) {
    if (truth.length !== arr.length) {
      throw new ShapeError('opts.trueRewards', `answers and opts.trueRewards must have the same length (got ${arr.length} and ${truth.length})`);
    }
    checkBinary(truth, 'opts.trueRewards');
  }
  const extraTruth = opts?.extraTrueRewards === undefined ? undefined : checkFiniteArray(opts.extraTrueRewards, 'opts.extraTrueRewards');
  if (extraTruth !== undefined) {
    if (extra === undefined || extraTruth.length !== extra.length) {
      throw new ShapeError(
        'opts.extraTrueRewards',
        `opts.extraVotes and opts.extraTrueRewards must have the same length (got ${extra?.length ?? 0} and ${extraTruth.length})`,
      );
    }
    checkBinary(extraTruth, 'opts.extraTrueRewards');
  }
  for (let i = 0; i < arr.length; i++) checkAnswerValue(arr[i], 'answers', i);
  if (extra !== undefined) for (let i = 0; i < extra.length; i++) checkAnswerValue(extra[i], 'opts.extraVotes', i);

  const rewards = outputArray(opts?.out, arr.length, [
    ['answers', arr],
    ['opts.trueRewards', truth],
    ['opts.extraVotes', extra],
    ['opts.extraTrueRewards', extraTruth],
  ]);
  const B = layout.groups;
  const mode: (string | number | null)[] = [];
  const tiedAll: (string | number)[][] = [];
  const majorityRatio = new Float64Array(B);
  const labelAccuracy = truth === undefined ? undefined : new Float64Array(B);
  const rewardAccuracy = truth === undefined ? undefined : new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const start = layout.offsets[b] as number;
    const end = layout.offsets[b + 1] as number;
    const xs = extraOffsets === undefined ? 0 : (extraOffsets[b] as number);
    const xe = extraOffsets === undefined ? 0 : (extraOffsets[b + 1] as number);
    const counts = new Map<string | number, number>();
    const add = (a: Answer): void => {
      if (a === null || a === undefined) return;
      counts.set(a, (counts.get(a) ?? 0) + 1);
    };
    for (let i = start; i < end; i++) add(arr[i]);
    for (let i = xs; i < xe; i++) add((extra as ArrayLike<Answer>)[i]);
    // The largest count M1 (t1 answers have it) and the largest count below it, M2 (t2 answers).
    let m1 = 0;
    let t1 = 0;
    let m2 = 0;
    let t2 = 0;
    for (const c of counts.values()) {
      if (c > m1) {
        m2 = m1;
        t2 = t1;
        m1 = c;
        t1 = 1;
      } else if (c === m1) t1++;
      else if (c > m2) {
        m2 = c;
        t2 = 1;
      } else if (c === m2) t2++;
    }
    const tied: (string | number)[] = [];
    for (const [a, c] of counts) if (c === m1 && m1 > 0) tied.push(a);
    tiedAll.push(tied);
    mode.push(tied.length === 1 ? (tied[0] as string | number) : null);
    const V = end - start + (xe - xs);
    majorityRatio[b] = m1 / V;
    const share = (t: number): number => (t === 1 ? 1 : ties === 'split' ? 1 / t : 0);
    for (let i = start; i < end; i++) {
      const a = arr[i];
      if (a === null || a === undefined) {
        rewards[i] = 0;
        continue;
      }
      const c = counts.get(a) as number;
      if (vote === 'all') {
        rewards[i] = c === m1 ? share(t1) : 0;
        continue;
      }
      // The others' mode: removing a's own vote only changes things when a held the top count alone.
      if (c < m1 || t1 >= 2) {
        rewards[i] = 0;
      } else if (m1 - 1 === 0) {
        rewards[i] = 0; // a's vote was the only non-null vote
      } else if (m2 < m1 - 1) {
        rewards[i] = 1;
      } else {
        rewards[i] = share(t2 + 1); // a ties with the t2 answers at m1 − 1
      }
    }
    if (truth !== undefined && labelAccuracy !== undefined && rewardAccuracy !== undefined) {
      // Correctness of each answer, from the samples that gave it (equal answers must agree).
      const correct = new Map<string | number, number>();
      const note = (a: Answer, v: number, name: string, i: number): void => {
        if (a === null || a === undefined) return;
        const seen = correct.get(a);
        if (seen !== undefined && seen !== v) {
          throw new DomainError(name, `${name} must give equal answers equal rewards (answer ${show(a)} has ${seen} and ${v}; at index ${i})`);
        }
        correct.set(a, v);
      };
      for (let i = start; i < end; i++) note(arr[i], truth[i] as number, 'opts.trueRewards', i);
      if (extraTruth !== undefined) for (let i = xs; i < xe; i++) note((extra as ArrayLike<Answer>)[i], extraTruth[i] as number, 'opts.extraTrueRewards', i);
      let label = 0;
      if (tied.length === 1 || ties === 'split') {
        for (const a of tied) {
          const v = correct.get(a);
          if (v === undefined) {
            throw new InvalidArgumentError(
              'opts.extraTrueRewards',
              `labelAccuracy of group ${b} needs the true reward of majority answer ${show(a)}, which only extra votes gave: pass opts.extraTrueRewards`,
            );
          }
          label += v / tied.length;
        }
      }
      labelAccuracy[b] = label;
      let acc = 0;
      for (let i = start; i < end; i++) acc += 1 - Math.abs((rewards[i] as number) - (truth[i] as number));
      rewardAccuracy[b] = acc / (end - start);
    }
  }
  return {
    rewards,
    mode,
    tied: tiedAll,
    majorityRatio,
    ...(labelAccuracy === undefined ? {} : { labelAccuracy }),
    ...(rewardAccuracy === undefined ? {} : { rewardAccuracy }),
  };
}
