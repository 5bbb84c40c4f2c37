import assert from "node:assert/strict";
import { fsError, fsErrorKind, fsErrorText, MediaFileError } from "./errors.ts";

Deno.test("MediaFileError joins the action and the detail in one line", () => {
  const cause = new Error("x");
  const error = new MediaFileError('Cannot read y4m "a.y4m"', "not a y4m file", {
    cause,
    kind: "corrupt",
  });
  assert.equal(error.message, 'Cannot read y4m "a.y4m": not a y4m file');
  assert.equal(error.detail, "not a y4m file");
  assert.equal(error.name, "MediaFileError");
  assert.equal(error.cause, cause);
  assert.equal(error.kind, "corrupt");
  assert.equal(new MediaFileError("a", "b").kind, "io");
});

Deno.test("fsErrorText() names common file-system errors in a few words", () => {
  assert.equal(fsErrorText(new Deno.errors.NotFound("x")), "no such file");
  assert.equal(fsErrorText(new Deno.errors.PermissionDenied("x")), "permission denied");
  assert.equal(fsErrorText(new Deno.errors.NotCapable("x")), "no file permission");
  assert.equal(fsErrorText(new Error("odd\n  failure")), "odd failure");
});

Deno.test("fsError() carries the kind and, for a runtime refusal, the access needed", () => {
  assert.equal(fsErrorKind(new Deno.errors.NotFound("x")), "not-found");
  assert.equal(fsErrorKind(new Deno.errors.PermissionDenied("x")), "permission");
  assert.equal(fsErrorKind(new Error("x")), "io");
  const refused = fsError('Cannot write y4m "a"', new Deno.errors.NotCapable("x"), "write");
  assert.equal(refused.message, 'Cannot write y4m "a": no file permission');
  assert.equal(refused.kind, "not-allowed");
  assert.equal(refused.permission, "write");
  const missing = fsError('Cannot write y4m "a"', new Deno.errors.NotFound("x"), "write", "gone");
  assert.equal(missing.detail, "gone");
  assert.equal(missing.kind, "not-found");
  assert.equal(missing.permission, undefined);
});
