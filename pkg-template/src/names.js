// @ts-check
/**
 * The names of a comma-joined list the core hands over, each made an object's key:
 * internalized, so comparing one with a key is one pointer compare, and each is one flat
 * string (`split` makes slices of the list, which a lookup by name, such as a Map's,
 * flattens and hashes again each time: ~3,300 instructions a send for the rate-limit
 * header names, bench/icount.mjs).
 * @param {string} list
 */
export const names = (list) => Object.keys(Object.fromEntries(list.split(",").map((name) => [name, 0])));
