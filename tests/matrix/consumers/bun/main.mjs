import * as api from "connectsafely-wasm";
import * as validateOnly from "connectsafely-wasm/validate";
import { smoke } from "./smoke.mjs";

const r = await smoke(api, process.env.SANDBOX, validateOnly);
console.log(JSON.stringify(r));
process.exitCode = r.passed ? 0 : 1;
