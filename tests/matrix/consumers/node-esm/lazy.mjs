// Importing does no work: no WebAssembly is compiled or instantiated by `import` or
// `require` of the package, only by the first call, then once per entry (index.mjs,
// index.cjs and validate.mjs each start their own). Prints the counts as JSON.
import { createRequire } from "node:module";

const calls = [];
for (const name of ["Module", "Instance", "compile", "instantiate", "compileStreaming", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  if (typeof original !== "function") continue;
  WebAssembly[name] = new Proxy(original, {
    construct: (target, args, newTarget) => (calls.push(name), Reflect.construct(target, args, newTarget)),
    apply: (target, self, args) => (calls.push(name), Reflect.apply(target, self, args)),
  });
}
const esm = await import("connectsafely-wasm");
const cjs = createRequire(import.meta.url)("connectsafely-wasm");
const validateOnly = await import("connectsafely-wasm/validate");
const atImport = calls.length;
const first = esm.validateSendGroupWithAck({ groupId: "abc" });
const afterFirstUse = calls.length;
new esm.ConnectSafelyClient({ apiKey: "k" });
esm.validateSendGroupWithAck({});
const afterMoreUse = calls.length;
const firstRequired = cjs.validateSendGroupWithAck({ groupId: "abc" });
new cjs.ConnectSafelyClient({ apiKey: "k" });
const afterRequiredUse = calls.length;
const validated = validateOnly.validateSendGroupWithAck({ groupId: "abc" });
validateOnly.validateSendGroupWithAck({});
console.log(JSON.stringify({ atImport, afterFirstUse, afterMoreUse, afterRequiredUse, afterValidateOnlyUse: calls.length, calls, worked: first.ok === false && firstRequired.ok === false && validated.ok === false }));
