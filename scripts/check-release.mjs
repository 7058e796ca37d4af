// Ready to publish: one version everywhere, and both registries' dry runs pass.
//   node scripts/check-release.mjs      (after scripts/build-pkg.sh)
// The version's one source is Cargo.toml: build-pkg.sh writes it into pkg/package.json
// (pkg-template holds a placeholder), the wasm names it in its User-Agent (from
// CARGO_PKG_VERSION), and Cargo.lock and CHANGELOG.md must agree with it.
import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLES, ENTRIES } from "./entries.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const read = (f) => readFileSync(path.join(root, f), "utf8");
const problems = [];
const expect = (ok, what) => ok || problems.push(what);

const version = read("Cargo.toml").match(/^version = "([^"]+)"/m)?.[1];
expect(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version ?? ""), `Cargo.toml's version is semver: ${version}`);
const locked = read("Cargo.lock").match(/name = "connectsafely-wasm"\nversion = "([^"]+)"/)?.[1];
expect(locked === version, `Cargo.lock has connectsafely-wasm ${locked}, Cargo.toml ${version}`);
const scan = read("scan/Cargo.toml").match(/^version = "([^"]+)"/m)?.[1];
expect(scan === version, `scan/Cargo.toml (connectsafely-scan) has ${scan}, Cargo.toml ${version}`);
const pinned = read("Cargo.toml").match(/^connectsafely-scan = \{ version = "=([^"]+)"/m)?.[1];
expect(pinned === version, `Cargo.toml depends on connectsafely-scan =${pinned}, its own version is ${version}`);
const template = JSON.parse(read("pkg-template/package.json")).version;
expect(template === "0.0.0-from-cargo", `pkg-template/package.json keeps the placeholder (build-pkg.sh writes Cargo.toml's version): ${template}`);
const built = JSON.parse(read("pkg/package.json")).version;
expect(built === version, `pkg/package.json has ${built}, Cargo.toml ${version}`);
// Each wasm that sends (all but the validator's), as the build made it: web.mjs, index.mjs
// and index.cjs inline the single-send one, many.mjs, many.cjs and edge.mjs the full one.
for (const e of ENTRIES.filter((x) => !x.features.includes("validator"))) {
  const wasm = readFileSync(path.join(root, e.glue, `${e.base}_bg.wasm`)).toString("latin1");
  expect(wasm.includes(`connectsafely-wasm/${version}`), `the ${e.name} wasm's User-Agent names ${version}`);
}
const released = read("CHANGELOG.md").match(/^## \[(\d[^\]]*)\]/m)?.[1];
expect(released === version, `CHANGELOG.md's newest version is ${released}, Cargo.toml ${version}`);

// npm's own dry run of the built package: it packs and checks the manifest as a publish would.
const npm = spawnSync("npm", ["publish", "--dry-run", "--json", path.join(root, "pkg")], { encoding: "utf8", cwd: root });
if (npm.status !== 0) problems.push(`npm publish --dry-run failed:\n${npm.stderr}`);
else {
  const out = JSON.parse(npm.stdout.slice(npm.stdout.indexOf("{")));
  const report = out["connectsafely-wasm"] ?? out;
  expect(report.version === version, `npm would publish ${report.version}`);
  const files = (report.files ?? []).map((f) => f.path);
  // Every file the manifest's exports name, and each wasm an edge entry imports.
  const manifest = JSON.parse(read("pkg/package.json"));
  const leaves = (v) => (typeof v === "string" ? [v] : Object.values(v).flatMap(leaves));
  const exported = leaves(manifest.exports).map((f) => f.replace(/^\.\//, ""));
  const wasms = exported
    .filter((f) => f.endsWith(".mjs"))
    .flatMap((f) => [...read(`pkg/${f}`).matchAll(/from ?"\.\/([\w.-]+\.wasm)\?module"/g)].map((m) => m[1]));
  expect(wasms.length >= 2, `the edge entries import their wasm (found ${wasms.join(", ")})`);
  // And each file an entry loads on first need (BUNDLES' full).
  const lazy = exported.flatMap((f) =>
    f.endsWith(".mjs")
      ? [...read(`pkg/${f}`).matchAll(/\bimport\("\.\/([\w.-]+\.mjs)"\)/g)].map((m) => m[1])
      : f.endsWith(".cjs")
        ? [...read(`pkg/${f}`).matchAll(/\brequire\("\.\/([\w.-]+\.cjs)"\)/g)].map((m) => m[1])
        : [],
  );
  for (const b of BUNDLES.filter((x) => x.full)) {
    expect(lazy.includes(b.full), `${b.file} loads ${b.full} on first need (found ${lazy.join(", ")})`);
  }
  for (const f of new Set(["README.md", "LICENSE", ...exported, ...wasms, ...lazy])) {
    expect(files.includes(f), `npm would publish ${f}`);
  }
}

if (problems.length) {
  console.error(`check-release:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`check-release: ${version} in Cargo.toml, Cargo.lock, pkg/package.json, the wasm's User-Agent and CHANGELOG.md; npm publish --dry-run passes`);
