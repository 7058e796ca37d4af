// make bench: a Worker's cold start on workerd alone (`workerd serve` over a config file
// naming the bundle's modules, as the runtime is run on a server of one's own), from the
// process's spawn to the first response's body.
//
// Miniflare (what `wrangler dev` runs, the row beside this one) hands the runtime each
// module's bytes through its own serialization in Node.js: measured, every 138 KB of a
// bundle cost its Node.js process some 4-5 ms of CPU before workerd started (a comment of
// that size in a JavaScript module as much as a wasm module of that size), a cost of the
// dev tool that no runtime serving the Worker pays. Here workerd reads the files itself.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** The workerd binary Miniflare and wrangler carry (npm `workerd`). */
export function workerdBinary() {
  const pkg = require.resolve("workerd/package.json");
  return path.join(path.dirname(pkg), "bin", "workerd");
}

/**
 * Writes `dir/config.capnp`: one Worker of the files `files` (the entry first; `.wasm`
 * files as wasm modules, the rest as ES modules, each named by its file name, so the
 * bundle's relative imports resolve), listening on a port the system picks.
 * @param {string} dir
 * @param {string[]} files
 * @param {string} compatibilityDate
 */
export function writeConfig(dir, files, compatibilityDate) {
  const modules = files
    .map((f) => `(name = ${JSON.stringify(f)}, ${f.endsWith(".wasm") ? "wasm" : "esModule"} = embed ${JSON.stringify(f)})`)
    .join(",\n    ");
  const file = path.join(dir, "config.capnp");
  writeFileSync(
    file,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:0", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules}
  ],
  compatibilityDate = ${JSON.stringify(compatibilityDate)},
);
`,
  );
  return file;
}

/**
 * One cold start: spawns `workerd serve config`, waits for its control message naming the
 * port it listens on, fetches `/` and reads the body. Resolves to the milliseconds from the
 * spawn to the body, and the body; the process is killed either way.
 * @param {string} config
 * @returns {Promise<{ ms: number, text: string }>}
 */
export function serveOnce(config) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(workerdBinary(), ["serve", config, "--control-fd=3"], { stdio: ["ignore", "ignore", "pipe", "pipe"] });
    let stderr = "";
    let control = "";
    let done = false;
    const finish = (/** @type {() => void} */ settle) => {
      if (done) return;
      done = true;
      child.kill("SIGKILL");
      settle();
    };
    child.stderr?.on("data", (d) => (stderr += d));
    child.stdio[3]?.on("data", (d) => {
      control += d;
      const port = /"event":"listen".*?"port":(\d+)/.exec(control)?.[1];
      if (!port || done) return;
      control = "";
      fetch(`http://127.0.0.1:${port}/`)
        .then((res) => res.text())
        .then(
          (text) => finish(() => resolve({ ms: performance.now() - t, text })),
          (e) => finish(() => reject(e)),
        );
    });
    child.on("error", (e) => finish(() => reject(e)));
    child.on("exit", (code) => finish(() => reject(new Error(`workerd exited (${code}) before answering: ${stderr.slice(0, 2000)}`))));
  });
}
