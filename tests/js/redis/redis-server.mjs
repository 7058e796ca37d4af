// A real redis-server (Debian's) on a free loopback port, for the tests: started,
// paused and resumed (SIGSTOP/SIGCONT keep its data), stopped.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function startRedis() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), "cs-redis-"));
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir], { stdio: "ignore" });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((resolve) => {
      const sock = net.connect(port, "127.0.0.1", () => {
        sock.write("PING\r\n");
      });
      sock.on("data", (d) => {
        sock.destroy();
        resolve(String(d).startsWith("+PONG"));
      });
      sock.on("error", () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const command = (line) =>
    new Promise((resolve, reject) => {
      const sock = net.connect(port, "127.0.0.1", () => sock.write(`${line}\r\n`));
      sock.on("data", (d) => {
        sock.destroy();
        resolve(String(d));
      });
      sock.on("error", reject);
    });
  return {
    url,
    port,
    /** Empties the store (between tests). */
    flush: () => command("FLUSHALL"),
    pause: () => process.kill(child.pid, "SIGSTOP"),
    resume: () => process.kill(child.pid, "SIGCONT"),
    stop: () => {
      try {
        process.kill(child.pid, "SIGCONT");
      } catch {}
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
