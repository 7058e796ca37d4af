// @ts-check
// What the driver reports to the caller's code, never letting it throw back: onResult,
// and the log lines the core writes. Shared by both cores' drivers (client.js, runs.js).

/**
 * Calls the caller's onResult; neither a throw nor a rejected promise from it escapes.
 * @param {Function | undefined} onResult
 * @param {number} index
 * @param {unknown} result
 */
export function notify(onResult, index, result) {
  if (!onResult) return;
  try {
    const r = onResult(index, result);
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {}
}

const LEVELS = ["off", "error", "warn", "info", "debug"];
export const DEBUG = 4;
export const INFO = 3;

/**
 * Writes `line` at `level` (1 error ... 4 debug); a logger that throws changes nothing.
 * @param {any} logger
 * @param {number} level
 * @param {string} line
 */
export function log(logger, level, line) {
  try {
    logger[LEVELS[level]](`connectsafely-wasm: ${line}`);
  } catch {}
}

