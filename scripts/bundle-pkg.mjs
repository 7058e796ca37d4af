// Usage: node scripts/bundle-pkg.mjs OUT_DIR
// Bundles each file of the package that holds a wasm (scripts/entries.mjs: BUNDLES, each
// an API module of pkg-template/src with the wasm-bindgen `web` glue and wasm of one of
// ENTRIES, as build-pkg.sh left them) into one self-contained file, so no bundler ever
// sees a side-effect-free module in between (webpack dropped one) and nothing runs at
// import:
//   web.mjs, many.mjs, validate.mjs      ES module, wasm inlined  (import: bundlers, browsers, pages by URL)
//   index.mjs                            ES module, wasm inlined as base64 (node: Node.js, Deno, Bun)
//   index.cjs, many.cjs, validate.cjs    CommonJS, wasm inlined   (require; index.cjs's as base64)
//   edge.mjs, validate-edge.mjs          ES module, .wasm?module import (workerd, edge-light)
// web.mjs and index.mjs import many.mjs (the full core) only when their client first needs it, and
// index.cjs requires many.cjs so; edge.mjs holds the full core itself. And the store
// adapters, plain JavaScript, each its own entry.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { BUNDLES, ENTRIES } from "./entries.mjs";

const [outDir] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const src = path.join(root, "pkg-template/src");

/**
 * One wasm of the package (scripts/entries.mjs), its glue and wasm as build-pkg.sh left
 * them, and the glue's code as the bundles take it, made once for every bundle.
 * @param {{ name: string, base: string, glue: string }} e
 */
function entryOf(e) {
  const glueDir = path.join(root, e.glue);
  const snippets = path.join(glueDir, "snippets");
  const files = readdirSync(snippets, { recursive: true }).map((f) => path.join(snippets, String(f)));
  /** The glue's copy of the core's snippet src/wasm/NAME, where the wasm imports it. */
  const snippet = (/** @type {string} */ name) => files.find((f) => f.endsWith(path.join("src", "wasm", name)));
  // The validate-only core builds no result itself (problems.js does, for the driver) and
  // reads no JS value (describe.js does, with fields.js's `wellFormed`).
  const own = (/** @type {string} */ name) => snippet(name) ?? (e.name === "validate" ? path.join(root, "src", "wasm", name) : undefined);
  const shapes = own("shapes.js");
  if (!shapes) throw new Error(`bundle-pkg: the glue of ${e.name} has no src/wasm/shapes.js snippet`);
  const wasmFile = `${e.base}_bg.wasm`;
  const wasm = path.join(glueDir, wasmFile);
  const glue = path.join(glueDir, `${e.base}.js`);
  return {
    name: e.name,
    wasmFile,
    wasm,
    glue,
    glueCode: namedImports(withArity(withoutDocComments(readFileSync(glue, "utf8"))), wasm),
    shapes,
    problems: snippet("problems.js"),
    fields: own("fields.js"),
  };
}
const entries = new Map(ENTRIES.map((e) => [e.name, entryOf(e)]));

/**
 * The request's field names as the core lists them (its `knownFields()`, from
 * KNOWN_FIELDS), read here from the full core's wasm by its glue (the other cores, built
 * from the same source, leave the export out: 0.9 KB of the validate-only wasm, with the
 * JS values it would need): each bundle holds them as a constant (`CORE_FIELD_NAMES`,
 * start.js), so a cold start asks the wasm nothing for them (asked at start, they cost
 * index.mjs's cold start 3% of its instructions and validate.mjs's 5%: make bench-icount).
 * @param {{ name: string, wasm: string, glue: string }} e
 */
async function fieldNamesOf(e) {
  const glue = await import(pathToFileURL(e.glue).href);
  glue.initSync({ module: readFileSync(e.wasm) });
  const names = glue.knownFields();
  if (typeof names !== "string" || !/^[A-Za-z]+(,[A-Za-z]+)+$/.test(names)) throw new Error(`bundle-pkg: the ${e.name} core's knownFields() is ${JSON.stringify(names)}`);
  return names;
}
const wasmOf = (name) => {
  const e = entries.get(name);
  if (!e) throw new Error(`bundle-pkg: no entry ${name}`);
  return e;
};
const full = wasmOf("many");
const fieldNames = await fieldNamesOf(full);

// Per bundle: "#wasm" (its loader), "./glue.js" (its wasm's glue) and "./glue-full.js"
// (the full core's, for the runs to many), each glue as wasm-bindgen wrote it less its doc
// comments (the core's Rust docs, for the driver's authors: the package's types are
// index.d.ts), which esbuild would keep: 2.5 KiB of index.mjs gzipped, and of every app
// bundled without a minifier (Rollup's and esbuild's defaults). "#full": where the client
// finds the full core: many.mjs imported on first need (index.mjs, whose own core is the
// single-send one), or the bundle's own core. "#unconnected": unconnected.js, or for the
// pages' file (web.mjs) unconnected-web.js.
function wiring(bundle) {
  const entry = wasmOf(bundle.wasm);
  const code = new Map([...entries.values()].map((e) => [e.glue, e.glueCode]));
  return {
    name: "connectsafely-wiring",
    setup(b) {
      b.onResolve({ filter: /^#wasm$/ }, () => ({ path: path.join(src, `${bundle.loader}.js`) }));
      b.onResolve({ filter: /^#full$/ }, () => {
        if ((entry === full) === Boolean(bundle.full)) throw new Error(`${bundle.file}: a lazily loaded full core (BUNDLES' full) is for a file on another core, and only for it`);
        return { path: path.join(src, bundle.full ? "full-lazy.js" : "full-here.js") };
      });
      b.onResolve({ filter: /^#many$/ }, () => ({ path: `./${bundle.full}`, external: true }));
      // Whether a fetch's failure says it never connected: what servers' fetch says (Node.js,
      // Bun, Deno); a browser's never does, so the pages' file holds no reading of it.
      b.onResolve({ filter: /^#unconnected$/ }, () => ({ path: path.join(src, bundle.wasm === "web" ? "unconnected-web.js" : "unconnected.js") }));
      b.onResolve({ filter: /^\.\/glue\.js$/ }, () => ({ path: entry.glue }));
      b.onResolve({ filter: /^\.\/glue-full\.js$/ }, () => ({ path: full.glue }));
      // The result shapes the core builds with (src/wasm/shapes.js, as the glue imports it):
      // one copy for the core and the driver.
      b.onResolve({ filter: /^\.\/shapes\.js$/ }, () => ({ path: entry.shapes }));
      // The JS values' reader of the core (src/wasm/fields.js): one copy for the core and the driver.
      b.onResolve({ filter: /^\.\/fields\.js$/ }, () => {
        if (!entry.fields) throw new Error(`${bundle.file}: the ${entry.name} wasm imports no src/wasm/fields.js`);
        return { path: entry.fields };
      });
      // The validate-only core's results (src/wasm/problems.js), which the driver takes.
      b.onResolve({ filter: /^\.\/problems\.js$/ }, () => {
        if (!entry.problems) throw new Error(`${bundle.file}: the ${entry.name} wasm imports no src/wasm/problems.js`);
        return { path: entry.problems };
      });
      // edge.js's placeholder, as the entry's own wasm beside it in the package.
      b.onResolve({ filter: /\.wasm\?module$/ }, () => ({ path: `./${entry.wasmFile}?module`, external: true }));
      b.onLoad({ filter: /\.js$/ }, (a) => (code.has(a.path) ? { contents: code.get(a.path), loader: "js" } : undefined));
    },
  };
}

/**
 * The glue with each snippet module (src/wasm/shapes.js, fields.js) imported by the names
 * the wasm imports from it, where wasm-bindgen imports the whole namespace
 * (`import * as importN`) and hands it over as the import object's module `"k": importN`:
 * a bundler keeps every export of a namespace, so the validate entry carried the send's
 * and the run's result shapes (0.2 KiB gzipped) it never calls.
 * @param {string} code
 * @param {string} wasmPath
 */
function namedImports(code, wasmPath) {
  /** @type {Map<string, string[]>} */
  const byModule = new Map();
  for (const i of WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(wasmPath)))) {
    if (!byModule.has(i.module)) byModule.set(i.module, []);
    byModule.get(i.module)?.push(i.name);
  }
  // The import object's entries `"k": importN,` in order: a key given twice is the last one's.
  const entries = [...code.matchAll(/^\s*"([^"]+)": (import\d+),$/gm)].map((m) => ({ key: m[1], local: m[2] }));
  const namespaces = [...code.matchAll(/^import \* as (import\d+) from ("[^"]+")$/gm)];
  // (A wasm that imports from one snippet alone has it imported by name already.)
  if (namespaces.length === 0 && !/^import \{[^}]+\} from '\.\/snippets\//m.test(code)) {
    throw new Error("bundle-pkg: the glue imports no snippet namespace (wasm-bindgen's glue changed shape?)");
  }
  let out = code;
  for (const [line, local, from] of namespaces) {
    const at = entries.findLastIndex((e) => e.local === local);
    if (at < 0) throw new Error(`bundle-pkg: ${local} is not in the glue's import object`);
    const { key } = entries[at];
    const read = entries.findLastIndex((e) => e.key === key) === at;
    if (read && !byModule.has(key)) throw new Error(`bundle-pkg: the wasm imports nothing from module "${key}" (${local}): short-names and the glue disagree`);
    const names = read ? byModule.get(key) ?? [] : [];
    if (names.some((n) => !/^[A-Za-z_][\w]*$/.test(n))) throw new Error(`bundle-pkg: ${local} is imported by a name that is no plain identifier`);
    out = out.replace(line, () => (names.length ? `import { ${names.map((n) => `${n} as ${local}_${n}`).join(", ")} } from ${from};` : ""));
    // An entry a later one of the same key overrides is dropped with its import.
    const entry = new RegExp(`^(\\s*"[^"]+": )${local},\n`, "m");
    out = out.replace(entry, (_, head) => (read ? `${head}{ ${names.map((n) => `${n}: ${local}_${n}`).join(", ")} },\n` : ""));
    // Nothing else may read the namespace: it is gone.
    if (new RegExp(`\\b${local}\\b(?!_)`).test(out)) throw new Error(`bundle-pkg: the glue reads ${local} outside its import object`);
  }
  return out;
}

/**
 * `code` with each import that catches what it calls (wasm-bindgen's `function() { return
 * handleError(function (arg0, ...) {...}, arguments); }`) declaring the parameters the wasm
 * passes it: Node.js 20 compiles another import wrapper for a function whose declared
 * parameters differ from its signature's (why that costs: tests/js/imports.test.mjs, which
 * holds every import's arity to its signature). Four of the five such imports the
 * single-send core had cost its cold start 3.7% of its instructions (make bench-icount).
 */
function withArity(code) {
  const catching = code.match(/return handleError\(/g)?.length ?? 0;
  let rewritten = 0;
  const out = code.replace(/: function\(\) \{ return handleError\(function \(([\w, ]*)\) \{/g, (_, params) => {
    rewritten++;
    return `: function(${params}) { return handleError(function (${params}) {`;
  });
  if (rewritten !== catching) {
    throw new Error(`bundle-pkg: ${catching - rewritten} of the glue's imports that catch are not of the shape withArity rewrites (wasm-bindgen's glue changed shape?)`);
  }
  return out;
}

/** `code` less each line-led `/** ... *\/` block (wasm-bindgen writes its docs so, one per item). */
function withoutDocComments(code) {
  const out = code.replace(/^[ \t]*\/\*\*(?:[^*]|\*(?!\/))*\*\/[ \t]*\n/gm, "");
  if (/^[ \t]*\/\*\*/m.test(out)) throw new Error("bundle-pkg: a doc comment of the glue was not removed");
  return out;
}

/**
 * The wasm's bytes renamed so that the most frequent ones are the characters every
 * bundler prints as one byte: printable ASCII other than quotes, backslash and backtick
 * first, then the control characters no bundler escapes, then U+0080-U+00FF (two bytes
 * of UTF-8), and the ones esbuild and terser print as escapes last. `key[c]` is the byte that
 * character c stands for: the loader reads it back (inline.js). Gzipped, the single-send
 * core's file was 3.4 KB and validate.mjs 0.6 KB smaller than with the bytes as they are
 * (measured again after the validate entry split off; tests/js/inline.test.mjs reads the
 * bytes back).
 * @param {Uint8Array} bytes
 */
function permuted(bytes) {
  const count = new Array(256).fill(0);
  for (const b of bytes) count[b]++;
  const byFrequency = [...Array(256).keys()].sort((a, b) => count[b] - count[a] || a - b);
  const range = (from, to) => [...Array(to - from + 1).keys()].map((i) => from + i);
  const escaped = [0x00, 0x07, 0x08, 0x0a, 0x0b, 0x0c, 0x0d, 0x1b, 0x22, 0x27, 0x5c, 0x60];
  const chars = [
    ...range(0x20, 0x7e).filter((c) => !escaped.includes(c)),
    ...range(0x01, 0x1f).filter((c) => !escaped.includes(c)),
    0x7f,
    ...range(0x80, 0xff),
    ...escaped,
  ];
  if (new Set(chars).size !== 256) throw new Error("bundle-pkg: the character order is not a permutation");
  const charOf = new Uint8Array(256);
  const key = new Uint8Array(256);
  byFrequency.forEach((b, rank) => {
    charOf[b] = chars[rank];
    key[chars[rank]] = b;
  });
  return { chars: bytes.map((b) => charOf[b]), key };
}

/**
 * The bytes as the body of a double-quoted JS string, one character (U+0000-U+00FF)
 * per byte; escaped: backslash, quote, CR, LF and NUL (as \x00: "\0" before a digit
 * would be an octal escape). Everything else is legal in a string literal as it is.
 */
function latin1(bytes) {
  let s = "";
  for (const b of bytes) {
    if (b === 0x5c) s += "\\\\";
    else if (b === 0x22) s += '\\"';
    else if (b === 0x0a) s += "\\n";
    else if (b === 0x0d) s += "\\r";
    else if (b === 0x00) s += "\\x00";
    else s += String.fromCharCode(b);
  }
  return s;
}

const common = {
  bundle: true,
  // ES2022: the syntax every bundler's parser (tests/matrix) and every supported runtime
  // (Node.js 18 and later, current browsers, workerd, Deno, Bun) takes. Its class private
  // fields and methods stay as written: lowered to ES2020 each became a WeakMap lookup,
  // ~15 a send (ES2020 read one send's own work 1.04x, bench/compare.mjs --plain, both
  // orders), and index.mjs 0.4 KiB larger gzipped.
  target: "es2022",
  legalComments: "none",
  // Whitespace and comments out, syntax shortened, local names shortened, and lines of
  // at most ~100 characters, so the source line Node.js prints above an uncaught error is
  // that statement, not the whole file. Every page whose bundler does not minify
  // (Rollup's and esbuild's defaults, a page loading the package by URL) downloads what a
  // minifying bundler would have made of it: against names kept, index.mjs 1.2 KiB less
  // gzipped, validate.mjs 0.6 KiB (its page in Rollup 16.2 -> 15.5 KiB, esbuild 16.5 ->
  // 15.8). A minifying bundler's output is the same size either way. Node.js's console and
  // util.inspect still print a client as ConnectSafelyClient (its static `name` getter);
  // a browser's devtools and stack traces show the short name.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  lineLimit: 100,
  // Keep the inlined wasm one UTF-8 character per byte (esbuild would write \\xNN for each).
  charset: "utf8",
  logLevel: "warning",
  // wasm-bindgen's async init reads import.meta.url: dropped from every file (checked
  // below), but esbuild warns of it first when writing CommonJS.
  logOverride: { "empty-import-meta": "silent" },
  banner: { js: "// connectsafely-wasm: generated by scripts/bundle-pkg.mjs from pkg-template/src and wasm-bindgen's output." },
};
// What went into each bundle (esbuild's metafile: its modules, the bytes each left), for
// the tests that hold a bundle to the modules it needs (tests/js/validate-entry.test.mjs):
// target/bundle-meta/FILE.json. Not shipped.
const metaDir = path.join(root, "target/bundle-meta");
mkdirSync(metaDir, { recursive: true });
// The store adapters: plain JavaScript a few hundred bytes long, each its own entry (ESM
// and CommonJS), every name kept.
const named = { minifyIdentifiers: false };
const adapters = ["redis", "durable-object", "indexeddb"];
await Promise.all([
  ...adapters.flatMap((name) => [
    build({ ...common, ...named, entryPoints: [path.join(src, `${name}.js`)], format: "esm", outfile: path.join(outDir, `${name}.mjs`) }),
    build({ ...common, ...named, entryPoints: [path.join(src, `${name}.js`)], format: "cjs", platform: "neutral", outfile: path.join(outDir, `${name}.cjs`) }),
  ]),
  ...BUNDLES.map((b) =>
    build({
      ...common,
      entryPoints: [path.join(src, `${b.api}.js`)],
      format: b.format,
      // CommonJS: full-lazy.js's import() of many.cjs becomes a require() in a promise, which
      // every CommonJS loader runs (Jest's without --experimental-vm-modules, webpack's).
      ...(b.format === "cjs" ? { platform: "neutral", supported: { "dynamic-import": false } } : {}),
      outfile: path.join(outDir, b.file),
      define: { CORE_FIELD_NAMES: JSON.stringify(fieldNames) },
      plugins: [wiring(b)],
      metafile: true,
    }).then(({ metafile }) => writeFileSync(path.join(metaDir, `${b.file}.json`), JSON.stringify(metafile))),
  ),
]);

// The wasm goes in after esbuild, as this script writes it (esbuild would choose its own
// quotes and escapes): inline.js's key and bytes (base64.js's base64) at the end of the
// file, where gzip's window (32 KiB) still holds the package's JavaScript when
// the rest of it comes (0.7 KiB less gzipped, here and in an app's bundle): WASM's
// declaration keeps no value, and the file's last statement assigns it. WASM is read on
// first use only, after the whole module has run, so where it is assigned changes nothing.
const permutedOf = new Map();
for (const b of BUNDLES) {
  const e = wasmOf(b.wasm);
  const at = path.join(outDir, b.file);
  if (b.loader === "inline" || b.loader === "base64") {
    /** @type {[string, string, string][]} name, placeholder, the literal's body */
    let placeholders;
    if (b.loader === "inline") {
      if (!permutedOf.has(e.name)) permutedOf.set(e.name, permuted(readFileSync(e.wasm)));
      const { chars, key } = permutedOf.get(e.name);
      placeholders = [
        ["KEY", "__WASM_KEY__", latin1(key)],
        ["WASM", "__WASM_LATIN1__", latin1(chars)],
      ];
    } else {
      placeholders = [["WASM", "__WASM_BASE64__", readFileSync(e.wasm).toString("base64")]];
    }
    let code = readFileSync(at, "utf8");
    const once = (literal) => {
      const n = code.split(literal).length - 1;
      if (n !== 1) throw new Error(`${b.file}: expected one ${literal} (pkg-template/src/${b.loader}.js), found ${n}`);
    };
    // KEY and WASM (base64: WASM alone) declared with no value, each assigned on a line of
    // its own at the end (both are read on first use, after the module ran): the lines
    // esbuild kept short (lineLimit) stay short, and the control characters both hold are
    // on lines that cannot throw, which Node.js never prints. (Escaped, the two keys cost
    // a build into one file ~0.1 KiB gzipped.)
    const tail = [];
    for (const [name, placeholder, literal] of placeholders) {
      once(`"${placeholder}"`);
      // `var NAME="..."`, perhaps among other declarations of one `var`.
      const declared = code.match(new RegExp(`\\bvar (?:[\\w$]+(?:="[^"]*")?,\\s*)*([\\w$]+)="${placeholder}"`));
      if (!declared) throw new Error(`${b.file}: ${name}'s placeholder is not in a var declaration (pkg-template/src/${b.loader}.js)`);
      const id = declared[1];
      code = code.replace(`${id}="${placeholder}"`, id);
      tail.push(`${id}="${literal}";`);
    }
    writeFileSync(at, `${code.trimEnd()}\n${tail.join("\n")}\n`);
  } else {
    if (!readFileSync(at, "utf8").includes(`"./${e.wasmFile}?module"`)) throw new Error(`${b.file} does not import ./${e.wasmFile}?module`);
    copyFileSync(e.wasm, path.join(outDir, e.wasmFile));
  }
  // wasm-bindgen's async init (which reads import.meta.url) must be tree-shaken away:
  // bundlers would otherwise copy the .wasm as an asset beside the inlined one.
  // (Matched by what the bundles' shortened names leave: a property and a string.)
  if (/import\.meta|instantiateStreaming|_bg\.wasm["']/.test(readFileSync(at, "utf8"))) {
    throw new Error(`${b.file} still holds wasm-bindgen's init (import.meta.url): check the facade's imports`);
  }
}
