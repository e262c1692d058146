/**
 * SHA-1 (FIPS 180-4), for one thing only: the lite client's Sec-WebSocket-Accept check,
 * one 60-byte hash per command. node:crypto would do it, but loading it pulls in a dozen
 * and more of Node's internal modules on the one-shot path (README, Performance). Not
 * for anything that needs collision resistance. Specced against node:crypto.
 */
const K = [0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6];

/** The SHA-1 digest of `text` (UTF-8), base64-encoded. */
export function sha1Base64(text: string): string {
  const msg = Buffer.from(text, 'utf8');
  const len = msg.length;
  // The message, a 1 bit, zeros, and the 64-bit length, in big-endian 32-bit words.
  const words = (((len + 8) >> 6) + 1) * 16;
  const m = new Uint32Array(words);
  for (let i = 0; i < len; i++) m[i >> 2]! |= msg[i]! << (24 - (i & 3) * 8);
  m[len >> 2]! |= 0x80 << (24 - (len & 3) * 8);
  m[words - 2] = Math.floor(len / 0x20000000);
  m[words - 1] = (len * 8) >>> 0;
  const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
  const w = new Uint32Array(80);
  for (let block = 0; block < words; block += 16) {
    for (let t = 0; t < 16; t++) w[t] = m[block + t]!;
    for (let t = 16; t < 80; t++) {
      const v = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
      w[t] = (v << 1) | (v >>> 31);
    }
    let [a, b, c, d, e] = h as [number, number, number, number, number];
    for (let t = 0; t < 80; t++) {
      const f = t < 20 ? (b & c) | (~b & d) : t < 40 ? b ^ c ^ d : t < 60 ? (b & c) | (b & d) | (c & d) : b ^ c ^ d;
      const next = (((a << 5) | (a >>> 27)) + f + e + K[(t / 20) | 0]! + w[t]!) >>> 0;
      e = d;
      d = c;
      c = ((b << 30) | (b >>> 2)) >>> 0;
      b = a;
      a = next;
    }
    h[0] = (h[0]! + a) >>> 0;
    h[1] = (h[1]! + b) >>> 0;
    h[2] = (h[2]! + c) >>> 0;
    h[3] = (h[3]! + d) >>> 0;
    h[4] = (h[4]! + e) >>> 0;
  }
  const out = Buffer.allocUnsafe(20);
  h.forEach((v, i) => out.writeUInt32BE(v, i * 4));
  return out.toString('base64');
}
