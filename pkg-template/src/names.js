// @ts-check
/**
 * The names of a comma-joined list the core hands over, in order, each made an object's
 * key: internalized, so comparing one with a key is one pointer compare. The names must be
 * distinct and not integer-like (an object puts those first). Kept as `split` leaves them,
 * the rate-limit header names cost a send ~3,300 instructions more (bench/icount.mjs:
 * 68,470 against 65,200), each looked up by name at every response.
 * @param {string} list
 */
export const names = (list) => Object.keys(Object.fromEntries(list.split(",").map((name) => [name, 0])));
