import * as api from "connectsafely-wasm";
import { smoke } from "./smoke.mjs";

const out = document.getElementById("result");
smoke(api, location.origin).then((r) => {
  out.textContent = JSON.stringify(r);
  out.dataset.done = "true";
});
