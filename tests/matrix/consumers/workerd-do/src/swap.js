// For the matrix only: POST { key, expected, value, ttlSeconds, lasting } runs one swap of
// the Durable Object store and answers what it did.
import { durableObjectStore } from "connectsafely-wasm/durable-object";
export { ConnectSafelyStore } from "connectsafely-wasm/durable-object";

export default {
  async fetch(request, env) {
    const { key, expected, value, ttlSeconds, lasting } = await request.json();
    const store = durableObjectStore(env.CONNECTSAFELY_STORE, { prefix: "test:", ttlSeconds });
    return Response.json(await store.swap(key, expected, value, lasting ? { lasting: true } : undefined));
  },
};
