// @ts-check
// Bytes inlined as a string of one character per byte (U+0000 to U+00FF), read back into
// a WebAssembly.Module: inline.js's wasm (its bytes renamed by KEY), and base64.js's where
// no native base64 decoder is at hand (atob's text, each byte its own character).
//
// Reading the text back byte by byte in JavaScript runs once, cold, in the interpreter: 3-4 ms
// for the client's 137 KB on this project's machine, as long as compiling it. So the
// native TextEncoder writes the text's UTF-8 into the memory of this 126-byte module, whose
// one function d(from, to, out) reads each character (one byte, or two for U+0080 and
// up) and writes the byte the key names for it (the key's bytes at 0-255), in place:
//   (func (export "d") (param $in i32) (param $end i32) (param $out i32) (result i32)
//     (local $b i32)
//     (block (loop
//       (br_if 1 (i32.ge_u $in $end))
//       (i32.store8 $out (i32.load8_u
//         (if (result i32) (i32.lt_u (local.tee $b (i32.load8_u $in)) 128)
//           (then $b, $in += 1)
//           (else (i32.or (i32.shl (i32.and $b 31) 6) (i32.and (i32.load8_u offset=1 $in) 63)), $in += 2))))
//       $out += 1
//       (br 0)))
//     $out)
// Its output never overtakes its input, so one region holds both.
// Its bytes, in hex (esbuild would print an array of numbers one a line).
const DECODER =
  "0061736d0100000001080160037f7f7f017f030201000503010001070902016d0200016400000a56015401017f0240034020002001" +
  "4f0d01200220002d0000220341800149047f2003200041016a2100052003411f7141067420002d0001413f7172200041026a21000b" +
  "2d00003a0000200241016a21020c000b0b20020b";

/**
 * The decoder's exports: its memory, and d.
 * @returns {{ m: WebAssembly.Memory, d: (from: number, to: number, out: number) => number }}
 */
function decoder() {
  const bytes = new Uint8Array(DECODER.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(DECODER.slice(2 * i, 2 * i + 2), 16);
  // @ts-expect-error the exports are the module's own, as declared above
  return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports;
}

/**
 * The module whose bytes `text` holds, one character each, character c standing for
 * byte `key.charCodeAt(c)` (for itself without a key).
 * @param {string} text
 * @param {string} [key]
 */
export function latin1Module(text, key) {
  const { m, d } = decoder();
  // The key at 0-255, then the text's UTF-8: at most two bytes a character.
  m.grow(Math.ceil((256 + 2 * text.length) / 65536) - 1);
  const memory = new Uint8Array(m.buffer);
  for (let c = 0; c < 256; c++) memory[c] = key === undefined ? c : key.charCodeAt(c);
  const { written = 0 } = new TextEncoder().encodeInto(text, memory.subarray(256));
  return new WebAssembly.Module(memory.subarray(256, d(256, 256 + written, 256)));
}
