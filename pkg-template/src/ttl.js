// @ts-check
// What each store adapter's `ttlSeconds` option means, in one place.

/**
 * How long a key lives neither read nor written, in whole seconds (at least 1): the
 * adapter's `ttlSeconds`, 3 days by default (longer than a day's quota). Anything but a
 * finite number is a `TypeError` naming the adapter: a NaN made every key read as absent.
 * @param {string} adapter the adapter's function, for the message
 * @param {{ ttlSeconds?: unknown }} options
 */
export function ttlSeconds(adapter, options) {
  const ttl = options.ttlSeconds ?? 3 * 24 * 3600;
  if (typeof ttl !== "number" || !Number.isFinite(ttl)) {
    throw new TypeError(`${adapter}: options.ttlSeconds must be a finite number of seconds`);
  }
  return Math.max(1, Math.floor(ttl));
}
