import * as api from "connectsafely-wasm";
import { smoke } from "./smoke.mjs";

const r = await smoke(api, Deno.args[0]);
console.log(JSON.stringify(r));
Deno.exit(r.passed ? 0 : 1);
