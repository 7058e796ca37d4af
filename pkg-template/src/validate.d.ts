// connectsafely-wasm/validate: validation only. The same function as the main entry's,
// with the same results for every input, from a wasm that holds validation alone.
export { validateSendGroupWithAck } from "./index.js";
export type { ValidationResult, SendGroupWithAckRequest, SendError, FieldError, ErrorKind } from "./index.js";
