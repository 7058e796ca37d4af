// Usage: node scripts/short-strings.mjs GLUE_FILE
// Reads short strings out of the wasm without TextDecoder: wasm-bindgen's glue decodes
// every string the core hands JavaScript (a field error's field, code and message, a
// result's kind) with `TextDecoder.decode`, whose fixed cost (a call into the runtime)
// is most of a short string's. Strings under 16 bytes of ASCII (field names but
// recipientProfileUrn, codes, kinds) are read byte by byte instead; any other still goes
// to TextDecoder. In Node.js 20 the loop costs ~7 ns a byte and TextDecoder ~100-120 ns
// a string: the loop wins below ~14 bytes, and at 63 it took 4.6x TextDecoder's time (64
// was the bound once: the four-error body then took 1.05x the instructions). The same
// text either way; a glue whose `getStringFromWasm0` is not exactly as expected stops the
// build.
import { readFileSync, writeFileSync } from "node:fs";

const at = process.argv[2];
const glue = readFileSync(at, "utf8");
const WAS = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    return decodeText(getUint8ArrayMemory0().subarray(ptr, ptr + len));
}`;
const NOW = `function getStringFromWasm0(ptr, len) {
    ptr = ptr >>> 0;
    const bytes = getUint8ArrayMemory0();
    if (len < 16) {
        let s = "";
        for (let i = ptr; i < ptr + len; i++) {
            const b = bytes[i];
            if (b > 127) return decodeText(bytes.subarray(ptr, ptr + len));
            s += String.fromCharCode(b);
        }
        return s;
    }
    return decodeText(bytes.subarray(ptr, ptr + len));
}`;
if (glue.split(WAS).length !== 2) throw new Error(`short-strings: ${at} has no getStringFromWasm0 as expected (wasm-bindgen's output changed shape?)`);
writeFileSync(at, glue.replace(WAS, NOW));
