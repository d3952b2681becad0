// The TF.js the page ships: the site build (sitebuild/tfjs.py) bundles this module with esbuild into one
// minified ES module, vendor/tf.fesm.min.<hash>.js (web/js/*.js import ../vendor/tf.fesm.min.js).
// Only what the model's worker and the map page use, so that a phone downloads and parses no more:
// - the CPU backend without its kernels (web/js/loader.js calls tf.setBackend("cpu")), and the
//   kernels the model runs: its load, build and predict (tests/model/test_tfjs_browser.py and the
//   page's tests run it; a kernel missing here fails them with "Kernel 'X' not registered");
// - the names web/js uses (tests/web/test_tfjs_bundle.py checks each is exported), so that
//   esbuild leaves the other ops out; the layers API for tf.loadLayersModel and web/js/layers.js.
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

const KERNELS = [
  absConfig,
  addConfig,
  batchMatMulConfig,
  castConfig,
  clipByValueConfig,
  concatConfig,
  expConfig,
  expandDimsConfig,
  gatherV2Config,
  greaterConfig,
  identityConfig,
  maximumConfig,
  multiplyConfig,
  packConfig,
  powConfig,
  rangeConfig,
  realDivConfig,
  reshapeConfig,
  roundConfig,
  scatterNdConfig,
  sliceConfig,
  sqrtConfig,
  subConfig,
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
  tensor2d,
  tidy,
} from "@tensorflow/tfjs-core";
export { initializers, layers, loadLayersModel } from "@tensorflow/tfjs-layers";
