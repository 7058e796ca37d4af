// The same smoke in every runtime of the matrix: validate, in the main entry and in
// connectsafely-wasm/validate (`validateOnly`, that entry's module); a success, a 429 and
// a 500 from the sandbox; a timeout. Returns { passed, checks } and never throws.
export async function smoke(api, base, validateOnly) {
  const { ConnectSafelyClient, validateSendGroupWithAck } = api;
  const checks = [];
  const check = (name, ok, got) => checks.push(ok ? { name, ok: true } : { name, ok: false, got });
  const control = async (method, path, value) => {
    const res = await fetch(`${base}/__sandbox/${path}`, { method, body: value === undefined ? undefined : JSON.stringify(value) });
    return res.json();
  };
  const body = { recipientProfileUrn: "urn:li:fsd_profile:ACoAAFpqSoMB8vTqRbg4mN_wbabO8w0gjgFu-6o", groupId: "12345678", message: "Hello from the matrix" };
  try {
    await control("POST", "reset");
    const v = validateSendGroupWithAck({ ...body, groupId: 12345678 });
    check("validate: a numeric groupId is a type error", v.ok === false && v.error.fieldErrors[0].field === "groupId" && v.error.fieldErrors[0].code === "type", v);
    check("validate: a good body is normalized", validateSendGroupWithAck({ ...body, groupId: " 1 " }).value?.groupId === "1");
    // connectsafely-wasm/validate: only validation, answering as the main entry does.
    check("connectsafely-wasm/validate exports validateSendGroupWithAck only", Object.keys(validateOnly ?? {}).join() === "validateSendGroupWithAck", Object.keys(validateOnly ?? {}));
    const cases = [body, { ...body, groupId: " 1 " }, { ...body, groupId: 12345678 }, { ...body, accountId: "a", messageUrns: ["urn:li:x:1", 2] }, { ...body, mesage: "typo" }, {}, null, "text"];
    const answers = (f) => cases.flatMap((c) => [f(c), f(c, { maxMessageLength: 3 })]).map((r) => JSON.stringify(r));
    const mine = answers(validateOnly.validateSendGroupWithAck);
    const main = answers(validateSendGroupWithAck);
    check("connectsafely-wasm/validate answers every case as the main entry does", mine.every((r, i) => r === main[i]), mine.map((r, i) => (r === main[i] ? "same" : `${r} != ${main[i]}`)));

    const options = { apiKey: "sandbox-key", baseUrl: base, dangerouslyAllowBrowser: true };
    const client = new ConnectSafelyClient(options);
    const invalid = await client.sendGroupWithAck({ ...body, groupId: "abc" });
    check("groupId \"abc\" is a validation failure", invalid.ok === false && invalid.status === null && invalid.error.kind === "validation" && invalid.error.fieldErrors[0]?.field === "groupId", invalid);
    check("an invalid body makes no request", (await control("GET", "state")).requests === 0);

    const ok = await client.sendGroupWithAck(body);
    check("success from the sandbox", ok.ok === true && ok.status === 200 && ok.data.success === true && ok.rateLimit?.remaining === 149, ok);
    // A server runtime names the package in User-Agent; a page adds no header (CORS).
    const agent = (await control("GET", "requests")).requests.at(-1)?.headers?.["user-agent"] ?? "";
    if (typeof document !== "undefined") check("a page adds no User-Agent of its own", !agent.startsWith("connectsafely-wasm/"), agent);
    else check("a User-Agent naming the package and version", /^connectsafely-wasm\/\d+\.\d+\.\d+/.test(agent), agent);

    await control("POST", "faults", { status: 429, headers: { "Retry-After": "30" } });
    const limited = await client.sendGroupWithAck(body);
    check("429 is rate_limited with retryAfterMs", limited.ok === false && limited.status === 429 && limited.error.kind === "rate_limited" && limited.error.retryAfterMs === 30000 && limited.error.deliveryUnknown === false, limited);
    const guarded = await client.sendGroupWithAck(body);
    check("the guard then refuses locally", guarded.ok === false && guarded.status === null && guarded.error.kind === "rate_limited", guarded);

    const other = new ConnectSafelyClient(options);
    await control("POST", "faults", { status: 500 });
    const failed = await other.sendGroupWithAck(body);
    check("500 is server_error with deliveryUnknown", failed.ok === false && failed.status === 500 && failed.error.kind === "server_error" && failed.error.deliveryUnknown === true, failed);

    await control("POST", "faults", { delayMs: 3000, accept: false });
    const slow = await other.sendGroupWithAck(body, { timeoutMs: 200 });
    check("a slow answer times out", slow.ok === false && slow.status === null && slow.error.kind === "timeout" && slow.error.deliveryUnknown === true, slow);

    const state = await control("GET", "state");
    check("the sandbox saw exactly the sends that were made", state.requests === 4 && state.messages === 1, state);

    await control("POST", "reset");
    const many = await new ConnectSafelyClient(options).sendGroupWithAckMany(
      [body, { ...body, message: "second" }, { ...body, groupId: 1 }, { ...body, message: "fourth" }],
      { concurrency: 2 },
    );
    check("sendGroupWithAckMany sends the valid bodies once", many.sent === 3 && many.failed === 1 && many.notAttempted.length === 0 && many.stoppedBy === null && (await control("GET", "state")).requests === 3, many);
  } catch (e) {
    check("no exception", false, String(e && e.stack || e));
  }
  return { passed: checks.length > 0 && checks.every((c) => c.ok), checks };
}
