// Importing does no work: no WebAssembly is compiled or instantiated until the first
// call, then exactly once. Prints the counts as JSON.
const calls = [];
for (const name of ["Module", "Instance", "compile", "instantiate", "compileStreaming", "instantiateStreaming"]) {
  const original = WebAssembly[name];
  if (typeof original !== "function") continue;
  WebAssembly[name] = new Proxy(original, {
    construct: (target, args, newTarget) => (calls.push(name), Reflect.construct(target, args, newTarget)),
    apply: (target, self, args) => (calls.push(name), Reflect.apply(target, self, args)),
  });
}
const api = require("connectsafely-wasm");
const atImport = calls.length;
const first = api.validateSendGroupWithAck({ groupId: "abc" });
const afterFirstUse = calls.length;
new api.ConnectSafelyClient({ apiKey: "k" });
api.validateSendGroupWithAck({});
console.log(JSON.stringify({ atImport, afterFirstUse, later: calls.length, calls, firstWorked: first.ok === false }));
