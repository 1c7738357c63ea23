/**
 * The answer type of majority voting, shared by the majority estimators (src/estimators/majority-vote.ts,
 * src/estimators/majority-pseudo-rewards.ts), the name-based registry and the tfjs adapters; in a file of
 * its own so that none of them imports another just for the type.
 */

/** A sample's parsed answer for majority voting: equal answers form a cluster; null/undefined never wins. */
export type Answer = string | number | null | undefined;
