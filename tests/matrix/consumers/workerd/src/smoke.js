import * as api from "connectsafely-wasm";
import * as validateOnly from "connectsafely-wasm/validate";
import { smoke } from "../smoke.mjs";

export default {
  async fetch(request) {
    const base = new URL(request.url).searchParams.get("sandbox");
    return Response.json(await smoke(api, base, validateOnly));
  },
};
