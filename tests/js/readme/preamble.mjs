// Loaded with `node --import` before a README example: requests to the production API's
// origin go to the sandbox on loopback (README_SANDBOX) instead, as a DNS entry would send
// them; the request itself (method, headers, body, signal) is passed on unchanged.
const PRODUCTION = "https://api.connectsafely.ai";
const sandbox = process.env.README_SANDBOX;
const fetch = globalThis.fetch;
globalThis.fetch = function (input, init) {
  if (typeof input === "string" && input.startsWith(`${PRODUCTION}/`)) input = sandbox + input.slice(PRODUCTION.length);
  return fetch(input, init);
};
