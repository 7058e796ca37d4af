//! SHA-256 (FIPS 180-4), for the names a shared store's keys are made of: a digest of
//! the API key names a workspace without revealing it, and a digest of a normalized
//! request names a journal entry by the body it is for. Synchronous and `core`-only
//! (Web Crypto's digest is asynchronous, and the core decides in synchronous steps).
//!
//! ```
//! use connectsafely_wasm::digest::{hex, sha256};
//!
//! assert_eq!(
//!     hex(&sha256(&[b"abc"])),
//!     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
//! );
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

const K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One 64-byte block into the state.
// Every index below is a loop counter bounded by the fixed length of the array it reads
// (16 or 64): none can be out of bounds.
#[allow(clippy::indexing_slicing)]
fn compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 64];
    for i in 0..16 {
        w[i] = u32::from_be_bytes([
            block[4 * i],
            block[4 * i + 1],
            block[4 * i + 2],
            block[4 * i + 3],
        ]);
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for i in 0..64 {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let ch = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(ch)
            .wrapping_add(K[i])
            .wrapping_add(w[i]);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let maj = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(maj);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (s, v) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *s = s.wrapping_add(v);
    }
}

/// The SHA-256 digest of `parts`, taken as one message (no separator is added: a caller
/// that joins fields puts its own between them).
///
/// ```
/// use connectsafely_wasm::digest::sha256;
///
/// assert_eq!(sha256(&[b"ab", b"c"]), sha256(&[b"abc"]));
/// ```
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut state = H0;
    let mut block = [0u8; 64];
    let mut filled = 0usize;
    let mut total: u64 = 0;
    for byte in parts.iter().flat_map(|p| p.iter()) {
        if let Some(slot) = block.get_mut(filled) {
            *slot = *byte;
        }
        filled += 1;
        total = total.wrapping_add(1);
        if filled == 64 {
            compress(&mut state, &block);
            filled = 0;
        }
    }
    // Padding: a 1 bit, zeros, then the length in bits, big-endian, ending a block.
    if let Some(slot) = block.get_mut(filled) {
        *slot = 0x80;
    }
    filled += 1;
    if filled > 56 {
        for b in block.iter_mut().skip(filled) {
            *b = 0;
        }
        compress(&mut state, &block);
        filled = 0;
    }
    for b in block.iter_mut().skip(filled).take(56 - filled) {
        *b = 0;
    }
    for (b, v) in block
        .iter_mut()
        .skip(56)
        .zip(total.wrapping_mul(8).to_be_bytes())
    {
        *b = v;
    }
    compress(&mut state, &block);
    let mut out = [0u8; 32];
    for (b, v) in out
        .iter_mut()
        .zip(state.iter().flat_map(|w| w.to_be_bytes()))
    {
        *b = v;
    }
    out
}

/// Lower-case hexadecimal of `bytes`.
///
/// ```
/// use connectsafely_wasm::digest::hex;
///
/// assert_eq!(hex(&[0x00, 0xab, 0x7f]), "00ab7f");
/// ```
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        for nibble in [b >> 4, b & 0xf] {
            out.push(DIGITS.get(usize::from(nibble)).map_or('0', |d| *d as char));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // FIPS 180-4's examples and the lengths around the padding's block boundary.
    #[test]
    fn known_answers() {
        assert_eq!(
            hex(&sha256(&[])),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(&sha256(&[
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            ])),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
        let thousand = vec![b'a'; 1000];
        assert_eq!(
            hex(&sha256(&[&thousand])),
            "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3"
        );
    }

    #[test]
    fn parts_hash_as_their_concatenation_at_every_length_around_a_block() {
        let data: Vec<u8> = (0..200u32).map(|i| (i * 7 + 3) as u8).collect();
        // The padding's edge cases, against Python's hashlib.sha256.
        for (len, want) in [
            (
                55,
                "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b",
            ),
            (
                56,
                "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27",
            ),
            (
                57,
                "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73",
            ),
            (
                64,
                "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241",
            ),
            (
                119,
                "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e",
            ),
            (
                120,
                "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5",
            ),
        ] {
            assert_eq!(hex(&sha256(&[&data[..len]])), want, "len {len}");
        }
        for len in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 200] {
            let whole = sha256(&[&data[..len]]);
            for cut in [0, len / 3, len / 2, len] {
                assert_eq!(
                    sha256(&[&data[..cut], &data[cut..len]]),
                    whole,
                    "len {len} cut {cut}"
                );
            }
        }
    }
}
