// Type-checks the package's JS driver (pkg-template/src, `// @ts-check`) against the
// declarations wasm-bindgen generated for the core's exports (target/bindgen, from
// build-pkg.sh) and the public index.d.ts: a call into the core with a wrong name,
// arity or type, or a result that breaks the public types, fails make test.
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ENTRIES, entry } from "./entries.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/**
 * Type-checks `entry` (and what it imports) of pkg-template/src against the glue
 * wasm-bindgen generated for the wasm it is bundled with.
 * @param {string} name  the entry (index: the whole driver; many, validate: their module)
 * @param {string} glueDts  the declarations of the glue it is bundled with
 * @param {string} [full]  what "#full" is in that bundle
 * @param {string} [as]  the check's name
 */
function check(name, glueDts, full = "full-lazy.js", as = name) {
  const out = path.join(root, `target/driver-check/${as}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(path.join(root, "pkg-template/src"), out, { recursive: true });
  const glue = readFileSync(path.join(root, glueDts), "utf8");
  // The two init helpers build-pkg.sh exports from the glue for start.js.
  const helpers =
    "\nexport function __wbg_get_imports(): WebAssembly.Imports;\nexport function __wbg_finalize_init(instance: WebAssembly.Instance, module: WebAssembly.Module): InitOutput;\n";
  writeFileSync(path.join(out, "glue.d.ts"), glue + helpers);
  // The full core's glue, which the run to many drives (many.js, full-here.js).
  const many = entry("many");
  writeFileSync(path.join(out, "glue-full.d.ts"), readFileSync(path.join(root, `${many.glue}/${many.base}.d.ts`), "utf8") + helpers);
  // The core's result shapes (src/wasm/shapes.js), as far as the driver uses them.
  writeFileSync(
    path.join(out, "shapes.d.ts"),
    'export function valid(accountId: string | undefined, recipientProfileUrn: string, groupId: string, message: string, messageUrns: string[] | undefined): import("./index").ValidationResult;\n' +
      'export function sendError(kind: import("./index").ErrorKind, message: string, fieldErrors: import("./index").FieldError[], retryAfterMs: number | null, deliveryUnknown: boolean): import("./index").SendError;\n' +
      'export function failure(status: number | null, error: import("./index").SendError, rateLimit: import("./index").RateLimitInfo | null, body: unknown): import("./index").SendFailure;\n' +
      'export function bulk(results: unknown[], sent: number, failed: number, notAttempted: number[], stoppedBy: import("./index").BulkResult["stoppedBy"], resumeAt: number | null): import("./index").BulkResult;\n' +
      "export function withCause<T extends object>(error: T, cause: unknown): T;\n",
  );
  // What the core's snippet src/wasm/fields.js gives the driver (describe.js).
  writeFileSync(path.join(out, "fields.d.ts"), "export function wellFormed(s: string): boolean;\n");
  // What the validate-only core's snippet src/wasm/problems.js gives its driver (describe.js).
  writeFileSync(
    path.join(out, "problems.d.ts"),
    'export function resultOf(shape: number, valid: typeof import("./shapes").valid): import("./index").ValidationResult;\nexport function reset(): void;\n',
  );
  // The constant scripts/bundle-pkg.mjs defines in every bundle: the core's field names.
  writeFileSync(path.join(out, "core-names.d.ts"), "declare const CORE_FIELD_NAMES: string;\n");
  writeFileSync(path.join(out, "wasm-module.d.ts"), 'declare module "*.wasm?module" {\n  const module: WebAssembly.Module;\n  export default module;\n}\n');
  writeFileSync(
    path.join(out, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        allowJs: true,
        checkJs: true,
        noEmit: true,
        strict: true,
        target: "es2022",
        module: "esnext",
        moduleResolution: "bundler",
        lib: ["esnext", "dom"],
        types: [],
        paths: { "#wasm": ["./inline.js"], "#full": [`./${full}`], "#many": ["./many.js"], "#unconnected": ["./unconnected.js"] },
      },
      // The entry and what it imports; the whole driver for the main entry (its adapters
      // and the full core's "#full" of edge.mjs too). The entry named in
      // `files`: `include` leaves out a .js beside a .d.ts of its name.
      ...(name === "index"
        ? // (validate.js and describe.js are the validate-only core's driver, checked against it.)
          { include: ["*.js", "*.d.ts"], exclude: ["validate.js", "describe.js"], files: ["index.js"] }
        : { files: [`${name}.js`, "core-names.d.ts", ...(name === "validate" ? ["edge.js", "wasm-module.d.ts"] : [])] }),
    }),
  );
  const r = spawnSync(path.join(root, "node_modules/.bin/tsc"), ["-p", out], { encoding: "utf8" });
  if (r.status !== 0) {
    console.error(`check-driver: the JS driver's ${name} entry does not type-check against its core's exports:\n${r.stdout}${r.stderr}`);
    process.exit(1);
  }
}
for (const e of ENTRIES) check(e.driver ?? e.name, `${e.glue}/${e.base}.d.ts`, undefined, e.name);
// edge.mjs: the main entry's driver on the full core, "#full" its own.
const full = entry("many");
check("index", `${full.glue}/${full.base}.d.ts`, "full-here.js", "index-full");
console.log(`check-driver: the JS driver type-checks against the core's generated declarations (${ENTRIES.map((e) => e.name).join(", ")}, and index on the full core)`);
