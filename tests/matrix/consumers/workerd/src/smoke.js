import * as api from "connectsafely-wasm";
import { smoke } from "../smoke.mjs";

export default {
  async fetch(request) {
    const base = new URL(request.url).searchParams.get("sandbox");
    return Response.json(await smoke(api, base));
  },
};
