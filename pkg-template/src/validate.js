// connectsafely-wasm/validate (validate.mjs, validate.cjs, validate-edge.mjs): validation
// only, on a wasm built with the core's `validator` feature (no send, store or run), which
// holds no JS value: describe.js reads a body into its memory.
export { validateSendGroupWithAck } from "./describe.js";
