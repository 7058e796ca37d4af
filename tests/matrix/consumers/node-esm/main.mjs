import * as api from "connectsafely-wasm";
import { smoke } from "./smoke.mjs";

const r = await smoke(api, process.env.SANDBOX);
console.log(JSON.stringify(r));
process.exitCode = r.passed ? 0 : 1;
