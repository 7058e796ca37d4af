// @ts-check
// What only the full core drives: a run to many, and a store's swaps. Bundled with the
// full core: in many.mjs and many.cjs, which the client of web.mjs and index.mjs
// (index.cjs) loads on first need, and in edge.mjs, whose own core is the full one. The client hands over what
// it keeps.
import { BulkStep } from "./glue-full.js";
import { INFO, log, notify } from "./report.js";
import { fired } from "./exchange.js";

/**
 * What the client needs of the full core's bundle (many.mjs's exports, or full-here.js's).
 * @typedef {{ runMany: typeof runMany, storeSwap: typeof storeSwap }} Full
 */

/** The longest value a store's swap may answer (UTF-16 units): far above any the package writes. */
const STORE_VALUE_UNITS = 1 << 20;

/** What a store's swap is told of a journal's key: keep it until it is deleted. */
const LASTING = Object.freeze({ lasting: true });

/**
 * One compare-and-swap on the store, checked and bounded in time; throws on anything
 * but an answer of the documented shape.
 * @param {any} store
 * @param {number} timeoutMs
 * @param {[key: string, expected: number | undefined, value: string | undefined, lasting: boolean]} swap
 *   as the core asks for it (`lasting`: a journal's key, kept until deleted)
 * @returns {Promise<{ ok: boolean, value: string | undefined, version: number }>}
 */
export async function storeSwap(store, timeoutMs, [key, expected, value, lasting]) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the store did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const e = expected === undefined ? null : expected;
    const v = value === undefined ? null : value;
    // Three arguments but for a journal's key: a store of your own written for three keeps working for the rest.
    const r = await Promise.race([lasting ? store.swap(key, e, v, LASTING) : store.swap(key, e, v), late]);
    // A version is a count of writes: NaN (a careless Number() of a missing field), a
    // fraction or a negative would never equal the one the next swap compares.
    // A value longer than any the package writes is not copied into wasm memory.
    const ok = r && typeof r.ok === "boolean" && Number.isSafeInteger(r.version) && r.version >= 0 && (r.value === null || r.value === undefined || (typeof r.value === "string" && r.value.length <= STORE_VALUE_UNITS));
    if (!ok) throw new TypeError("the store's swap() answered something other than { ok, value, version } (version a whole number >= 0, value a string of at most 1 MiB)");
    return { ok: r.ok, value: r.value === null ? undefined : r.value, version: r.version };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A run to many on the full core (`sendGroupWithAckMany`): the client's part is `c`,
 * its `drive(id)` performing one send to its end.
 * @param {{ core: import("./glue-full.js").Core, store: any, storeTimeoutMs: number, level: number, logger: any, drive: (id: number) => Promise<void>, sleep: (ms: number, signal: any) => Promise<boolean> }} c
 * @param {unknown} bodies
 * @param {unknown} options
 */
export async function runMany(c, bodies, options) {
    const { core, drive, sleep } = c;
    const run = core.bulkBegin(bodies, options);
    // The run leaves the core on every path, one that throws too (a hostile signal's
    // getter): until it does, its runnerId is taken in this client (`bulkBegin`).
    let finished = false;
    try {
      // Before anything is sent: the journal's format, read (and written where new), and
      // for a new journal an earlier build's entries looked for; at most 64 at a time.
      for (let checks = core.bulkChecks(run); checks.length > 0; checks = core.bulkChecks(run)) {
        /** @type {boolean[]} */
        const wrote = [];
        /** @type {(string | undefined)[]} */
        const values = [];
        let thrown;
        try {
          for (let at = 0; at < checks.length; at += 64) {
            const answers = await Promise.all(checks.slice(at, at + 64).map((swap) => storeSwap(c.store, c.storeTimeoutMs, swap)));
            for (const r of answers) {
              wrote.push(r.ok);
              values.push(r.value);
            }
          }
        } catch (e) {
          thrown = e ?? new Error("the store failed");
        }
        core.bulkChecked(run, wrote, values, thrown);
      }
      const { signal, onResult, workers, results, invalid } = core.bulkSettings(run);
      for (const i of invalid) notify(onResult, i, results[i]);
      const worker = async () => {
        for (;;) {
          if (fired(signal)) core.bulkAbort(run);
          const next = core.bulkNext(run);
          if (next === BulkStep.Start) {
            const id = core.bulkSend(run);
            await drive(id);
            const said = c.level === 0 ? undefined : core.logOutcome(id);
            const i = core.bulkSettle(run, id);
            // An item left not attempted (refused before a request) is the run's summary's to report.
            if (said && i >= 0) log(c.logger, said[0], said[1]);
            if (i >= 0) notify(onResult, i, results[i]);
          } else if (next === BulkStep.Wait) {
            if (!(await sleep(core.bulkWaitMs(run), signal))) core.bulkAbort(run);
          } else {
            return;
          }
        }
      };
      const all = [];
      for (let w = 0; w < workers; w++) all.push(worker());
      await Promise.all(all);
      if (c.level >= INFO) {
        const line = core.bulkLog(run);
        if (line) log(c.logger, INFO, line);
      }
      finished = true;
      return core.bulkFinish(run);
    } finally {
      if (!finished) core.bulkFinish(run);
    }
}
