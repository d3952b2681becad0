// The TF.js the page ships: the site build (sitebuild/tfjs.py) bundles this module with esbuild into one
// minified ES module, vendor/tf.fesm.min.<hash>.js (web/js/*.js import ../vendor/tf.fesm.min.js).
// Only what the model worker uses: the core (tensors, ops, tf.io, tf.serialization), the layers
// API (tf.loadLayersModel, tf.layers.Layer for web/js/layers.js) and the CPU backend, which
// registers itself as "cpu" (web/js/loader.js calls tf.setBackend("cpu")). No converter
// (graph models), tfjs-data or WebGL: the full @tensorflow/tfjs bundle is 1.1 MB for those.
import "@tensorflow/tfjs-backend-cpu";

export * from "@tensorflow/tfjs-core";
export * from "@tensorflow/tfjs-layers";
