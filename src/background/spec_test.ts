import assert from "node:assert/strict";
import { BackgroundError } from "./errors.ts";
import { fileKind, hexColor, parseBackgroundSpec, parseColor } from "./spec.ts";

function assertSpecError(spec: string, pattern: RegExp): void {
  assert.throws(() => parseBackgroundSpec(spec), (e: unknown) => {
    assert.ok(e instanceof BackgroundError, String(e));
    assert.doesNotMatch(e.message, /\n/);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("parseColor() reads #RGB, #RRGGBB and CSS names", () => {
  assert.deepEqual(parseColor("#00ff00"), [0, 255, 0]);
  assert.deepEqual(parseColor("#00FF88"), [0, 255, 136]);
  assert.deepEqual(parseColor("#0f8"), [0, 255, 136]);
  assert.deepEqual(parseColor("#abc"), [0xaa, 0xbb, 0xcc]);
  assert.deepEqual(parseColor("green"), [0, 128, 0]);
  assert.deepEqual(parseColor("Blue"), [0, 0, 255]);
  assert.deepEqual(parseColor("BLACK"), [0, 0, 0]);
  assert.deepEqual(parseColor("white"), [255, 255, 255]);
  assert.deepEqual(parseColor("gray"), [128, 128, 128]);
  assert.deepEqual(parseColor("grey"), [128, 128, 128]);
  for (const bad of ["#12345", "#1234567", "#ggg", "00ff00", "#", "pink", ""]) {
    assert.equal(parseColor(bad), null, bad);
  }
});

Deno.test("hexColor() writes #rrggbb", () => {
  assert.equal(hexColor([0, 255, 136]), "#00ff88");
  assert.equal(hexColor([1, 2, 3]), "#010203");
});

Deno.test("fileKind() goes by the extension", () => {
  assert.equal(fileKind("beach.jpg"), "image");
  assert.equal(fileKind("BEACH.JPEG"), "image");
  assert.equal(fileKind("x.png"), "image");
  assert.equal(fileKind("loop.gif"), "gif");
  for (const video of ["a.mp4", "a.webm", "a.mkv", "a.MOV", "a.avi"]) {
    assert.equal(fileKind(video), "video");
  }
  assert.equal(fileKind("backgrounds.d/noext"), "unknown");
  assert.equal(fileKind("picture"), "unknown");
});

Deno.test("parseBackgroundSpec() reads off, blur, colours and files", () => {
  assert.deepEqual(parseBackgroundSpec("off"), { kind: "off" });
  assert.deepEqual(parseBackgroundSpec("OFF"), { kind: "off" });
  assert.deepEqual(parseBackgroundSpec("blur"), { kind: "blur", strength: 12 });
  assert.deepEqual(parseBackgroundSpec("blur:"), { kind: "blur", strength: 12 });
  assert.deepEqual(parseBackgroundSpec("blur:1"), { kind: "blur", strength: 1 });
  assert.deepEqual(parseBackgroundSpec("blur:100"), { kind: "blur", strength: 100 });
  assert.deepEqual(parseBackgroundSpec("bgblur:30"), { kind: "blur", strength: 30 });
  assert.deepEqual(parseBackgroundSpec("#0f0"), {
    kind: "color",
    rgb: [0, 255, 0],
    hex: "#00ff00",
  });
  assert.deepEqual(parseBackgroundSpec("color:green"), {
    kind: "color",
    rgb: [0, 128, 0],
    hex: "#008000",
  });
  assert.deepEqual(parseBackgroundSpec("colour:white"), {
    kind: "color",
    rgb: [255, 255, 255],
    hex: "#ffffff",
  });
  assert.deepEqual(parseBackgroundSpec("color:#336699"), {
    kind: "color",
    rgb: [0x33, 0x66, 0x99],
    hex: "#336699",
  });
  assert.deepEqual(parseBackgroundSpec("beach.jpg"), {
    kind: "file",
    name: "beach.jpg",
    type: "image",
  });
  assert.deepEqual(parseBackgroundSpec(" /x/loop.webm "), {
    kind: "file",
    name: "/x/loop.webm",
    type: "video",
  });
  assert.deepEqual(parseBackgroundSpec("blurry.png"), {
    kind: "file",
    name: "blurry.png",
    type: "image",
  });
});

Deno.test("parseBackgroundSpec() errors are one line with the fix", () => {
  for (const bad of ["blur:0", "blur:101", "blur:abc", "blur:1.5", "blur:-3", "bgblur:x"]) {
    assertSpecError(
      bad,
      /^Cannot use background ".*": the blur strength is a whole number from 1 to 100 \(e\.g\. blur:12\)$/,
    );
  }
  for (const bad of ["#12345", "#xyz", "color:pink", "color:"]) {
    assertSpecError(
      bad,
      /^Cannot use background ".*": a colour is #RGB, #RRGGBB or color:NAME with NAME one of black, white, gray, grey, green, blue \(e\.g\. #00ff00\)$/,
    );
  }
  assertSpecError(
    "  ",
    /^Cannot use background " {2}": the spec is empty \(use off, blur\[:N\], #RRGGBB, color:NAME or an image, GIF or video file\)$/,
  );
});
