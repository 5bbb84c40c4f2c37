import assert from "node:assert/strict";
import { personProbability } from "./probability.ts";

function close(a: ArrayLike<number>, b: number[], eps = 1e-6): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < eps, `${a[i]} vs ${b[i]}`);
}

Deno.test("personProbability() clamps a probability output to [0, 1]", () => {
  const out = new Float32Array(3);
  personProbability(new Float32Array([-0.5, 0.25, 1.5]), 1, { kind: "probability" }, out);
  close(out, [0, 0.25, 1]);
});

Deno.test("personProbability() applies the sigmoid to logits", () => {
  const out = new Float32Array(3);
  personProbability(new Float32Array([0, 2, -2]), 1, { kind: "logit" }, out);
  close(out, [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2))]);
});

Deno.test("personProbability() takes softmax channel 1 of background/person logits", () => {
  const out = new Float32Array(3);
  personProbability(
    new Float32Array([0, 0, 1, 3, 800, -800]),
    2,
    { kind: "softmax", person: 1 },
    out,
  );
  close(out, [0.5, 1 / (1 + Math.exp(-2)), 0]);
});

Deno.test("personProbability() takes the person class of a 21-class softmax", () => {
  const raw = new Float32Array(21 * 2);
  raw[15] = Math.log(20); // pixel 0: person logit log(20), 20 others at 0 → 20 / 40
  raw[21 + 3] = 1000; // pixel 1: another class dominates, no overflow
  const out = new Float32Array(2);
  personProbability(raw, 21, { kind: "softmax", person: 15 }, out);
  close(out, [0.5, 0]);
});

Deno.test("personProbability() rejects an output of the wrong size", () => {
  assert.throws(
    () =>
      personProbability(
        new Float32Array(5),
        2,
        { kind: "softmax", person: 1 },
        new Float32Array(3),
      ),
    /expected 6/,
  );
});
