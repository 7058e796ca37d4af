// One measured process of bench/icount.mjs: runs `warm` operations, then `n` more, of one
// kind, and nothing else. icount.mjs counts its instructions under valgrind twice (n
// and 0) and divides the difference by n.
//   node --single-threaded bench/icount-op.mjs <pkg dir> <op> <warm> <n>
// op: "validate:<entry>:<shape>" (entry: index.mjs | web.mjs | validate.mjs | zod | hand-written),
// "send:<contender>" (connectsafely-wasm | hand-written; the fetch answers a plain object),
// or "cold:<entry>" (index.mjs | web.mjs | validate.mjs | hand-written | none): a cold start, the
// entry imported and one body validated (warm and n unused; none imports nothing: the
// baseline a cold start is counted over).
import path from "node:path";
import { pathToFileURL } from "node:url";
import { SHAPES } from "./shapes.mjs";
import { API_KEY, plainFetch, sendBody } from "./in-process.mjs";

const [dir, op, warmArg, nArg] = process.argv.slice(2);
const warm = Number(warmArg);
const n = Number(nArg);
const [kind, who, shape] = op.split(":");
const load = (file) => import(pathToFileURL(path.join(dir, file)).href);

if (kind === "validate") {
  const entry = SHAPES[shape];
  if (!entry) throw new Error(`no shape ${shape}`);
  let check;
  if (who === "zod") {
    const { zodSchema } = await import("./schemas.mjs");
    check = (b) => zodSchema.safeParse(b).success;
  } else if (who === "hand-written") {
    const { validate } = await import("./handwritten/client.mjs");
    check = (b) => validate(b).ok;
  } else {
    const { validateSendGroupWithAck } = await load(who);
    check = (b) => validateSendGroupWithAck(b).ok;
  }
  const { body, valid } = entry;
  let wrong = 0;
  for (let i = 0; i < warm; i++) if (check(body) !== valid) wrong++;
  for (let i = 0; i < n; i++) if (check(body) !== valid) wrong++;
  if (wrong) throw new Error(`${who} answered wrongly on ${shape}`);
} else if (kind === "send") {
  let send;
  if (who === "hand-written") {
    const { HandwrittenClient } = await import("./handwritten/client.mjs");
    const c = new HandwrittenClient({ apiKey: API_KEY, fetch: plainFetch });
    send = () => c.sendGroupWithAck(sendBody);
  } else {
    const { ConnectSafelyClient } = await load("index.mjs");
    const c = new ConnectSafelyClient({ apiKey: API_KEY, fetch: plainFetch });
    send = () => c.sendGroupWithAck(sendBody);
  }
  for (let i = 0; i < warm; i++) if (!(await send()).ok) throw new Error("a send failed");
  for (let i = 0; i < n; i++) if (!(await send()).ok) throw new Error("a send failed");
} else if (kind === "cold") {
  const body = SHAPES["the three required strings"].body;
  if (who === "hand-written") {
    const { validate } = await import("./handwritten/client.mjs");
    if (!validate(body).ok) throw new Error("the hand-written validator answered wrongly");
  } else if (who !== "none") {
    const { validateSendGroupWithAck } = await load(who);
    if (!validateSendGroupWithAck(body).ok) throw new Error(`${who} answered wrongly`);
  }
} else {
  throw new Error(`unknown op ${op}`);
}
