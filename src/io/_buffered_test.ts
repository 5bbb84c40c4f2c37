import assert from "node:assert/strict";
import { BufferedReader, type ByteSource } from "./_buffered.ts";

/** A source that hands out at most `step` bytes per read (short reads, like a pipe). */
function trickle(bytes: Uint8Array, step: number): ByteSource {
  let at = 0;
  return {
    read(p: Uint8Array): Promise<number | null> {
      if (at >= bytes.length) return Promise.resolve(null);
      const n = Math.min(step, p.length, bytes.length - at);
      p.set(bytes.subarray(at, at + n));
      at += n;
      return Promise.resolve(n);
    },
  };
}

const text = (b: Uint8Array | string): string =>
  typeof b === "string" ? `<${b}>` : new TextDecoder().decode(b);

Deno.test("BufferedReader reads lines and blocks across short reads", async () => {
  const data = new TextEncoder().encode("HEAD 1\nFRAME\nabcdefFRAME x\nghijkl");
  for (const step of [1, 2, 5, 100]) {
    const reader = new BufferedReader(trickle(data, step), { lineBytes: 16 });
    const block = new Uint8Array(6);
    assert.equal(text(await reader.readLine()), "HEAD 1");
    assert.equal(text(await reader.readLine()), "FRAME");
    assert.equal(await reader.readFull(block), 6);
    assert.equal(text(block), "abcdef");
    assert.equal(text(await reader.readLine()), "FRAME x");
    assert.equal(await reader.readFull(block), 6);
    assert.equal(text(block), "ghijkl");
    assert.equal(await reader.readLine(), "eof");
    assert.equal(await reader.readFull(block), 0);
  }
});

Deno.test("BufferedReader reports truncated and over-long lines", async () => {
  const cut = new BufferedReader(trickle(new TextEncoder().encode("FRA"), 1));
  assert.equal(await cut.readLine(), "truncated");
  assert.equal(text(cut.pending), "FRA");

  const long = new BufferedReader(trickle(new Uint8Array(100).fill(65), 7), { lineBytes: 16 });
  assert.equal(await long.readLine(), "too long");

  const short = new BufferedReader(trickle(new TextEncoder().encode("ab"), 1));
  const block = new Uint8Array(4);
  assert.equal(await short.readFull(block), 2);
});
