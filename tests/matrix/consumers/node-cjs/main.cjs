const api = require("connectsafely-wasm");
const validateOnly = require("connectsafely-wasm/validate");

import("./smoke.mjs").then(async ({ smoke }) => {
  if (typeof api.ConnectSafelyClient !== "function") throw new Error("require() gave no ConnectSafelyClient");
  const r = await smoke(api, process.env.SANDBOX, validateOnly);
  console.log(JSON.stringify(r));
  process.exitCode = r.passed ? 0 : 1;
});
