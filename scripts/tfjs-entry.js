// The TF.js the page ships: the site build (sitebuild/tfjs.py) bundles this module with esbuild into one
// minified ES module, vendor/tf.fesm.min.<hash>.js (web/js/*.js import ../vendor/tf.fesm.min.js).
// Only what the model's worker and the map page use, so that a phone downloads and parses no more:
// - the CPU backend without its kernels (web/js/loader.js calls tf.setBackend("cpu")), and the
//   kernels the model runs: its load, build and predict (tests/model/test_tfjs_browser.py and the
//   page's tests run it; a kernel missing here fails them with "Kernel 'X' not registered");
// - the names web/js and the tests' pages use (tests/web/test_tfjs_bundle.py checks each is exported), so that
//   esbuild leaves the other ops out;
// - of the layers API, tf.loadLayersModel, the base class web/js/layers.js extends, two initializers
//   and the Keras layers the saved model holds besides its own (InputLayer, Dense, Embedding, Add:
//   each module registers its classes for deserialisation as it is evaluated). The whole
//   tfjs-layers index registers every layer class (convolutions, recurrent, ...): 25 KiB more
//   brotli for a phone to download and 150 KB more to parse. A model with another Keras layer
//   fails to load with "Unknown layer: X" (tests/model/test_tfjs_browser.py loads the real one).
// No converter (graph models), tfjs-data or WebGL: the full @tensorflow/tfjs bundle is 1.1 MB for those.
import "@tensorflow/tfjs-backend-cpu/dist/base.js";
import { registerKernel } from "@tensorflow/tfjs-core";
import { absConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Abs.js";
import { addConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Add.js";
import { batchMatMulConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/BatchMatMul.js";
import { castConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Cast.js";
import { clipByValueConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/ClipByValue.js";
import { concatConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Concat.js";
import { expConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Exp.js";
import { expandDimsConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/ExpandDims.js";
import { gatherV2Config } from "@tensorflow/tfjs-backend-cpu/dist/kernels/GatherV2.js";
import { greaterConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Greater.js";
import { identityConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Identity.js";
import { maximumConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Maximum.js";
import { multiplyConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Multiply.js";
import { packConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Pack.js";
import { powConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Pow.js";
import { rangeConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Range.js";
import { realDivConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/RealDiv.js";
import { reshapeConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Reshape.js";
import { roundConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Round.js";
import { scatterNdConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/ScatterNd.js";
import { sliceConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Slice.js";
import { sqrtConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Sqrt.js";
import { subConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Sub.js";
import { sumConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Sum.js";
import { tanhConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Tanh.js";
import { tileConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/Tile.js";
import { _fusedMatMulConfig } from "@tensorflow/tfjs-backend-cpu/dist/kernels/_FusedMatMul.js";

// Kernels with a fast path for what the model sends through them 10,000 or 160,000 values at a
// time (every book's score or vector, web/js/layers.js): the CPU backend's general code for a
// gather, and for broadcasting two inputs of different shapes, allocates index arrays per value,
// which on a phone was most of a run of the model (with its garbage collection). The same values,
// bit for bit (a copy; the same arithmetic into the same typed array); every other case goes to
// the backend's own kernel. tests/web/test_tfjs_bundle.py checks them against plain loops.

/** GatherV2 along axis 0 (rows of x), batchDims 0, of a real-valued x. */
function gatherRows(args) {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  const rank = x.shape.length;
  const values = backend.data.get(x.dataId)?.values;
  const rows = backend.data.get(indices.dataId)?.values;
  const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
  const usual = rank > 0 && axis === 0 && !attrs.batchDims && x.dtype !== "string" && x.dtype !== "complex64";
  if (!usual || !values || !rows || rows.length === 0) {
    return gatherV2Config.kernelFunc(args);
  }
  const [count, ...rest] = x.shape;
  const size = rest.reduce((a, b) => a * b, 1);
  const out = new values.constructor(rows.length * size);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!(row >= 0 && row <= count - 1)) throw new Error(`GatherV2: the index value ${row} is not in [0, ${count - 1}]`);
    out.set(values.subarray(row * size, (row + 1) * size), i * size);
  }
  return backend.makeTensorInfo([...indices.shape, ...rest], x.dtype, out);
}

const TYPED = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };

/** A shape of rank 2 or less as [rows, columns]. */
function asRows(shape) {
  return shape.length === 2 ? shape : shape.length === 1 ? [1, shape[0]] : [1, 1];
}

/**
 * `config` (a binary kernel of the backend) with broadcasting of inputs of rank 2 or less done
 * by rows and columns: out[i, j] = op(a[i or 0, j or 0], b[...]) into the typed array of `dtype`
 * (null: a's), as the backend's own code computes them.
 */
function broadcastRows(config, op, dtype = null) {
  const kernelFunc = (args) => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const Out = TYPED[dtype ?? a.dtype];
    const aValues = backend.data.get(a.dataId)?.values;
    const bValues = backend.data.get(b.dataId)?.values;
    const [[ar, ac], [br, bc]] = [asRows(a.shape), asRows(b.shape)];
    const [rows, cols] = [Math.max(ar, br), Math.max(ac, bc)];
    const fits = (n, of) => n === of || n === 1;
    const usable = a.shape.length <= 2 && b.shape.length <= 2 && a.dtype === b.dtype && TYPED[a.dtype] && Out;
    if (!usable || !aValues || !bValues || !fits(ar, rows) || !fits(br, rows) || !fits(ac, cols) || !fits(bc, cols)) {
      return config.kernelFunc(args);
    }
    const out = new Out(rows * cols);
    const [aRow, aCol, bRow, bCol] = [ar === 1 ? 0 : ac, ac === 1 ? 0 : 1, br === 1 ? 0 : bc, bc === 1 ? 0 : 1];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) out[i * cols + j] = op(aValues[i * aRow + j * aCol], bValues[i * bRow + j * bCol]);
    }
    const rank = Math.max(a.shape.length, b.shape.length);
    return backend.makeTensorInfo([[], [cols], [rows, cols]][rank], dtype ?? a.dtype, out);
  };
  return { ...config, kernelFunc };
}

const KERNELS = [
  absConfig,
  broadcastRows(addConfig, (a, b) => a + b),
  batchMatMulConfig,
  castConfig,
  clipByValueConfig,
  concatConfig,
  expConfig,
  expandDimsConfig,
  { ...gatherV2Config, kernelFunc: gatherRows },
  broadcastRows(greaterConfig, (a, b) => (a > b ? 1 : 0), "bool"),
  identityConfig,
  broadcastRows(maximumConfig, (a, b) => Math.max(a, b)),
  broadcastRows(multiplyConfig, (a, b) => a * b),
  packConfig,
  broadcastRows(powConfig, (a, b) => Math.pow(a, b)),
  rangeConfig,
  broadcastRows(realDivConfig, (a, b) => a / b),
  reshapeConfig,
  roundConfig,
  scatterNdConfig,
  sliceConfig,
  sqrtConfig,
  broadcastRows(subConfig, (a, b) => a - b),
  sumConfig,
  tanhConfig,
  tileConfig,
  _fusedMatMulConfig,
];
for (const kernel of KERNELS) {
  registerKernel(kernel);
}

export {
  add,
  broadcastTo,
  cast,
  clipByValue,
  concat,
  div,
  engine,
  exp,
  expandDims,
  gather,
  getBackend,
  greater,
  io,
  matMul,
  maximum,
  mul,
  norm,
  pow,
  range,
  ready,
  reshape,
  round,
  scatterND,
  serialization,
  setBackend,
  slice,
  sqrt,
  squeeze,
  stack,
  sub,
  sum,
  tensor,
  tensor2d,
  tidy,
} from "@tensorflow/tfjs-core";

import { Ones, Zeros } from "@tensorflow/tfjs-layers/dist/initializers.js";
import { Layer } from "@tensorflow/tfjs-layers/dist/engine/topology.js";
import "@tensorflow/tfjs-layers/dist/engine/input_layer.js";
import "@tensorflow/tfjs-layers/dist/layers/core.js";
import "@tensorflow/tfjs-layers/dist/layers/embeddings.js";
import "@tensorflow/tfjs-layers/dist/layers/merge.js";

export { loadLayersModel } from "@tensorflow/tfjs-layers/dist/models.js";
/** tf.layers and tf.initializers as far as web/js/layers.js uses them. */
export const layers = { Layer };
export const initializers = { zeros: () => new Zeros(), ones: () => new Ones() };
