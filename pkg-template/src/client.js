// @ts-check
// The package's public API: a small driver around the core. The core (Rust, in
// wasm: `Core` of src/wasm/mod.rs) validates, asks the guard, classifies and decides
// every next step of a send or a run; this driver only performs what it is told
// (fetch, timers, abort) and reports back. Every call into the core is synchronous.
import { BulkStep, Core, Cut, Exchanged, Step, validateSendGroupWithAck as validateInCore } from "./glue.js";
import { exchange, sleep } from "./exchange.js";
import { start } from "./start.js";

/**
 * Calls the caller's onResult; neither a throw nor a rejected promise from it escapes.
 * @param {Function | undefined} onResult
 * @param {number} index
 * @param {unknown} result
 */
function notify(onResult, index, result) {
  if (!onResult) return;
  try {
    const r = onResult(index, result);
    if (r && typeof r.then === "function") r.then(undefined, () => {});
  } catch {}
}

export class ConnectSafelyClient {
  /** @type {Core} */
  #core;
  /** @type {string} */
  #apiKey;
  /** @type {string} */
  #endpoint;
  /** @type {Function | undefined} */
  #fetch;

  /** @param {import("./index").ClientOptions} options */
  constructor(options) {
    start();
    this.#core = new Core(options);
    this.#apiKey = this.#core.apiKey;
    this.#endpoint = this.#core.endpoint;
    this.#fetch = this.#core.fetch;
  }

  get baseUrl() {
    return this.#core.baseUrl;
  }

  toString() {
    return this.#core.toString();
  }

  toJSON() {
    return this.#core.toJSON();
  }

  /**
   * @param {unknown} body
   * @param {unknown} [options]
   */
  sendGroupWithAck(body, options) {
    const id = this.#core.begin(body, options);
    return this.#drive(id).then(() => this.#core.finish(id));
  }

  /**
   * Performs what the core asks for send `id` until it is done.
   * @param {number} id
   */
  async #drive(id) {
    const core = this.#core;
    for (;;) {
      const step = core.step(id);
      if (step === Step.Fetch) {
        let r;
        try {
          // The fetch option, else the global fetch looked up now (it may be replaced at any time).
          const fetchFn = this.#fetch ?? globalThis.fetch;
          r = await exchange(fetchFn, this.#endpoint, this.#apiKey, core.body(id), core.signal(id), core.timeoutMs(id));
        } catch (e) {
          // A hostile runtime (a signal whose methods throw, ...): the request may have left.
          r = { what: Exchanged.NoResponse, cut: Cut.None, status: 0, headers: [], text: undefined, json: undefined, thrown: e };
        }
        const [action, limit, used, remaining, reset, retryAfter] = r.headers;
        core.exchanged(id, r.what, r.cut, r.status, action, limit, used, remaining, reset, retryAfter, r.text, r.json, r.thrown);
      } else if (step === Step.Wait) {
        let waited = false;
        try {
          waited = await sleep(core.waitMs(id), core.signal(id));
        } catch {}
        if (waited) core.waited(id);
        else core.abort(id);
      } else {
        return;
      }
    }
  }

  /**
   * @param {unknown} bodies
   * @param {unknown} [options]
   */
  async sendGroupWithAckMany(bodies, options) {
    const core = this.#core;
    const run = core.bulkBegin(bodies, options);
    const { signal, onResult, workers, results, invalid } = core.bulkSettings(run);
    for (const i of invalid) notify(onResult, i, results[i]);
    const worker = async () => {
      for (;;) {
        if (signal && signal.aborted) core.bulkAbort(run);
        const next = core.bulkNext(run);
        if (next === BulkStep.Start) {
          const id = core.bulkSend(run);
          await this.#drive(id);
          const i = core.bulkSettle(run, id);
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
    return core.bulkFinish(run);
  }
}

/**
 * @param {unknown} body
 * @param {{ maxMessageLength?: number }} [options]
 */
export function validateSendGroupWithAck(body, options) {
  start();
  return validateInCore(body, options);
}
