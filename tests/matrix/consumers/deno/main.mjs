import * as api from "connectsafely-wasm";
import * as validateOnly from "connectsafely-wasm/validate";
import { smoke } from "./smoke.mjs";

const r = await smoke(api, Deno.args[0], validateOnly);
console.log(JSON.stringify(r));
Deno.exit(r.passed ? 0 : 1);
