// The model's module Web Worker (model-client.js starts it): TF.js, the model's download, checks
// and build, and every run of it happen here, never on the page's main thread. The messages are
// model-host.js's. It lives beside index.html, so that the files it fetches by relative URL
// (metadata's model_url, the shards) resolve as the page's own do. recommend.js (which imports TF.js) is imported, not awaited, at once, so the
// model's files download beside TF.js (loader.js) rather than after it.
import { prefetch } from "./js/checked-fetch.js";
import { loadModel } from "./js/loader.js";
import { createModelHost } from "./js/model-host.js";

const recommend = import("./js/recommend.js");
recommend.catch(() => {}); // loadModel reports a TF.js that could not be downloaded
// The model's custom layers too, beside TF.js rather than after it (loader.js imports them once
// TF.js is in: a round trip more before the model can be built).
const layers = import("./js/layers.js");
layers.catch(() => {});

const handle = createModelHost((message, transfer = []) => self.postMessage(message, transfer), {
  loadModel,
  scorePicks: async (...args) => (await recommend).scorePicks(...args),
  similarityMatrix: async (...args) => (await recommend).similarityMatrix(...args),
  rowIndex: async (...args) => (await recommend).rowIndex(...args),
  codeLoaded: Promise.all([recommend, layers]), // with this bundle: every module this worker runs
  prefetch,
});
self.addEventListener("message", (event) => handle(event.data));
