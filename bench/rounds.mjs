// Side-by-side timing in rounds (make bench's cold starts): the setups take turns in each
// round, so a slow round falls on all of them, and their order rotates from round to round,
// so no setup always runs first or last.

/** @param {number[]} xs */
export const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * `list` in round `i`'s order: rotated by `i`.
 * @template T
 * @param {T[]} list
 * @param {number} i
 */
export const rotated = (list, i) => [...list.slice(i % list.length), ...list.slice(0, i % list.length)];

/**
 * `xs` over `ys`, round by round: the median of the differences within each round, with
 * their quartiles.
 * @param {number[]} xs
 * @param {number[]} ys
 */
export function paired(xs, ys) {
  if (xs.length !== ys.length || xs.length === 0) throw new Error(`paired: ${xs.length} and ${ys.length} rounds`);
  const d = xs.map((x, i) => x - ys[i]).sort((a, b) => a - b);
  const at = (/** @type {number} */ q) => d[Math.round(q * (d.length - 1))];
  return { median: at(0.5), q1: at(0.25), q3: at(0.75) };
}
