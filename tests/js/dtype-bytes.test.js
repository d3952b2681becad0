// web/js/weights.js's bytes per dtype is tests/golden/dtype_bytes.json's table (model/shards.py and
// server/tfjs_weights.py are held to it by tests/test_dtype_bytes.py), and so is TF.js's own: a
// weight of each dtype is decoded by tf.io.decodeWeights ahead of a float32 one, which reads
// back right only when the first took exactly the table's bytes.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";

import { DTYPE_BYTES } from "../../web/js/weights.js";

const GOLDEN = JSON.parse(readFileSync(new URL("../golden/dtype_bytes.json", import.meta.url))).bytes;
const QUANTIZED = new Set(["uint8", "uint16", "float16"]); // stored so, decoded to float32

test("the page's table is the golden one", () => {
  assert.deepEqual(DTYPE_BYTES, GOLDEN);
});

test("TF.js reads each dtype in the golden table's bytes", () => {
  tf.setBackend("cpu");
  for (const [dtype, bytes] of Object.entries(GOLDEN)) {
    const first = QUANTIZED.has(dtype)
      ? { name: "first", shape: [1], dtype: "float32", quantization: { dtype, scale: 1, min: 0 } }
      : { name: "first", shape: [1], dtype };
    const buffer = new ArrayBuffer(bytes + 4);
    new DataView(buffer).setFloat32(bytes, 7.5, true); // the next weight starts after `bytes`
    const weights = tf.io.decodeWeights(buffer, [first, { name: "next", shape: [1], dtype: "float32" }]);
    assert.equal(weights.next.dataSync()[0], 7.5, dtype);
    tf.dispose(Object.values(weights));
  }
});
