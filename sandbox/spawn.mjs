// Starts the sandbox API in its own process on 127.0.0.1:port and waits until it answers.
// For benchmarks and soaks, which must not share their event loop with the server.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const server = path.join(path.dirname(fileURLToPath(import.meta.url)), "server.mjs");

export async function spawnSandbox(port) {
  const child = spawn(process.execPath, [server, "--port", String(port)], { stdio: "ignore" });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/__sandbox/state`);
      return { base, stop: () => child.kill() };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill();
  throw new Error(`the sandbox did not start on port ${port}`);
}
