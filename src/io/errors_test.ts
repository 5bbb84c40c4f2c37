import assert from "node:assert/strict";
import { fsErrorText, MediaFileError } from "./errors.ts";

Deno.test("MediaFileError joins the action and the detail in one line", () => {
  const cause = new Error("x");
  const error = new MediaFileError('Cannot read y4m "a.y4m"', "not a y4m file", { cause });
  assert.equal(error.message, 'Cannot read y4m "a.y4m": not a y4m file');
  assert.equal(error.detail, "not a y4m file");
  assert.equal(error.name, "MediaFileError");
  assert.equal(error.cause, cause);
});

Deno.test("fsErrorText() names common file-system errors in a few words", () => {
  assert.equal(fsErrorText(new Deno.errors.NotFound("x")), "no such file");
  assert.equal(fsErrorText(new Deno.errors.PermissionDenied("x")), "permission denied");
  assert.equal(fsErrorText(new Error("odd\n  failure")), "odd failure");
});
