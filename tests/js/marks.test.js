// web/js/marks.js: the marks' localStorage text.
import assert from "node:assert/strict";
import { test } from "node:test";

import { formatMarks, parseMarks, unreadableMarks } from "../../web/js/marks.js";

test("marks round-trip through their localStorage text; junk is skipped", () => {
  const marks = new Map([
    [12, "read"],
    [45, "not_interested"],
    [7, "to_read"],
    [9, "reading"],
  ]);
  assert.equal(formatMarks(marks), "12:r,45:n,7:t,9:c");
  assert.deepEqual(parseMarks(formatMarks(marks)), marks);
  assert.deepEqual([...parseMarks("0:r,abc,5:x,6:r, 8:n ,")], [
    [6, "read"],
    [8, "not_interested"],
  ]);
  assert.equal(parseMarks(null).size, 0);
});

test("unreadable saved marks are listed (blank entries aside)", () => {
  assert.deepEqual(unreadableMarks("12:r,abc, 5:x ,,0:r,7:t"), ["abc", " 5:x ", "0:r"]);
});
