// connectsafely-wasm/validate (validate.mjs, validate.cjs, validate-edge.mjs): validation
// only, on a wasm built with the core's `validator` feature (no send, store or run).
export { validateSendGroupWithAck } from "./validation.js";
