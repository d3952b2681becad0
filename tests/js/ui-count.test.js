// ui.js count: the thousands separators toLocaleString("en-US") writes, without loading locale data.
import assert from "node:assert/strict";
import { test } from "node:test";

import { count } from "../../web/js/ui.js";

test("count writes whole numbers as toLocaleString('en-US') does", () => {
  for (const n of [0, 1, 12, 999, 1000, 1490, 10000, 123456, 1234567, 9007199254740991]) {
    assert.equal(count(n), n.toLocaleString("en-US"), String(n));
  }
});
