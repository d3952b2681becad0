// The page's side of the model: loadModel, scorePicks and similarityMatrix shaped like
// loader.js's and recommend.js's, but the model is loaded, built and run in a module Web Worker
// (model-worker.js; the messages are model-host.js's), so the page's main thread never parses
// TF.js or runs the model. Ranking, reasons and similar books (rank.js) need no TF.js and run
// here. Where no module worker can be started, the same host runs on the page instead.
import { ChangedFileError, LoadError, NewBuildError, checkBuildFiles, prefetch } from "./checked-fetch.js";

export { reasonFor, similarRows, topRows, topSuggestions } from "./rank.js";

// Beside index.html: its relative URLs (model/model.json, ...) resolve as the page's do.
const WORKER_URL = new URL("../model-worker.js", import.meta.url);

/** The error a "failed" message carries, as the LoadError / NewBuildError / ChangedFileError / Error it was. */
export function errorFromMessage({ name, file, message }) {
  let error;
  if (name === "NewBuildError") error = new NewBuildError(file);
  else if (name === "ChangedFileError") error = new ChangedFileError(file);
  else if (name === "LoadError") error = new LoadError(file, "");
  else error = new Error();
  error.message = message;
  return error;
}

/**
 * The worker's own files (model-worker.js and the modules it imports: sitebuild/bundle.py
 * worker_files, found by their imports: the .js names of site_files) checked against `metadata`, the page's build:
 * rejects with a NewBuildError when one is of another build (a rebuild between the page's
 * requests and the worker's), so that nothing the worker computed is used.
 */
function checkWorkerFiles(metadata) {
  const names = Object.keys(metadata?.site_files ?? {}).filter((name) => name.endsWith(".js"));
  return checkBuildFiles(names, metadata, WORKER_URL);
}

/**
 * A port to a model host: a module Web Worker, or where none can be started (an old browser),
 * model-host.js on this page, with the same messages. `onMessage(data)` gets the host's;
 * `onError(error)` a worker that could not run.
 */
async function openPort(onMessage, onError) {
  let worker = null;
  try {
    // A browser without module workers never reads `type` (it would run the module as a
    // classic script and fail on its first import): such a worker is dropped at once.
    let typeRead = false;
    const options = {
      get type() {
        typeRead = true;
        return "module";
      },
    };
    worker = new Worker(WORKER_URL, options);
    if (!typeRead) {
      worker.terminate();
      worker = null;
      throw new Error("module workers are not supported");
    }
  } catch (error) {
    console.warn("no module worker; the model runs on the page:", error);
  }
  if (worker !== null) {
    worker.addEventListener("message", (event) => onMessage(event.data));
    worker.addEventListener("error", (event) => {
      event.preventDefault();
      onError(new LoadError("model-worker.js", `could not be started (${event.message || "offline?"})`));
    });
    return { post: (message) => worker.postMessage(message), close: () => worker.terminate() };
  }
  const [{ createModelHost }, { loadModel }, recommend] = await Promise.all([
    import("./model-host.js"),
    import("./loader.js"),
    import("./recommend.js"),
  ]);
  let closed = false;
  const handle = createModelHost((message) => closed || queueMicrotask(() => onMessage(message)), {
    loadModel,
    prefetch,
    ...recommend,
  });
  return { post: (message) => closed || handle(message), close: () => (closed = true) };
}

/**
 * Load and build the model that `metadata` (a promise of metadata.json, or the object) names,
 * in a worker. Resolves to {model}: the handle scorePicks and similarityMatrix take. Rejects
 * with the worker's LoadError (NewBuildError for a file of another build). onFraction(0..1)
 * reports the first part's bytes (model-host.js). `prefetchFiles` (a list, or a promise of one): files
 * the worker asks for into the HTTP cache when it has them (checked-fetch.js prefetch; boot.js
 * asks for them on the page too, where the browser can, sooner).
 *
 * model.firstRows: null once the whole model is in; until then the neighbor table in
 * model.similarity holds only its first firstRows rows. model.whole() fetches the rest (if
 * not in) and resolves once it is, model.similarity then updated in place. Scores never need
 * it asked for: the worker waits for the rest itself when the picks need it.
 */
export function loadModel(metadata, { onFraction = () => {}, modelUrl = "model/model.json", prefetchFiles = [] } = {}) {
  return new Promise((resolve, reject) => {
    const pending = new Map(); // id -> {resolve, reject} of score requests in flight
    let nextId = 0;
    let port = null;
    let failed = null;
    const fail = (error) => {
      failed ??= error;
      port?.close();
      reject(failed);
      for (const request of pending.values()) request.reject(failed);
      pending.clear();
    };
    /** Post a request ({type, ...}) with a new id: a promise of its answer. */
    const request = (message) => {
      if (failed) return Promise.reject(failed);
      const id = nextId++;
      return new Promise((resolveRequest, rejectRequest) => {
        pending.set(id, { resolve: resolveRequest, reject: rejectRequest });
        port.post({ ...message, id });
      });
    };
    const model = {
      similarity: null,
      firstRows: null,
      /** Stop the model's worker: the page gave this model up (it failed; Retry loads another). */
      close: () => fail(new LoadError(modelUrl, "was closed")),
      score: (picks) => request({ type: "score", picks }),
      whole: () => (model.firstRows === null ? Promise.resolve() : request({ type: "whole" })),
    };
    // The model is given to the page only once its worker's files are known to be the page's
    // build's; a mismatch fails it at once (the worker is stopped). They are fetched again once
    // the worker has all of them ("loaded"): fetched sooner, they could be another build's than
    // the ones it ran (a rebuild in between). A metadata.json that failed is reported below.
    let codeLoaded;
    const loaded = new Promise((resolveLoaded) => (codeLoaded = resolveLoaded));
    const workerChecked = Promise.all([metadata, loaded]).then(
      ([meta]) => checkWorkerFiles(meta).then(() => true, (error) => (fail(error), false)),
      () => false,
    );
    // The host's messages, handled one after the other: those after "ready" wait with it.
    // "loaded" at once, whenever it comes: "ready" waits for it (workerChecked).
    let inbox = Promise.resolve();
    const onMessage = (data) => (data.type === "loaded" ? codeLoaded() : (inbox = inbox.then(() => handle(data))));
    const handle = async (data) => {
      if (data.type === "progress") onFraction(data.fraction);
      else if (data.type === "ready") {
        if (!(await workerChecked) || failed) return;
        Object.assign(model, { similarity: data.similarity, firstRows: data.firstRows ?? null });
        resolve({ model });
      } else if (data.type === "whole" && data.id === null) {
        // Unasked: the later part is in (an answer to model.whole() carries its request's id).
        Object.assign(model.similarity, data.similarity);
        model.firstRows = null;
      } else if (data.type === "scored" || data.type === "whole" || (data.type === "failed" && data.id !== null)) {
        const answered = pending.get(data.id);
        pending.delete(data.id);
        if (data.type === "failed") answered?.reject(errorFromMessage(data.error));
        else answered?.resolve(data);
      } else if (data.type === "failed") fail(errorFromMessage(data.error));
    };
    openPort(onMessage, fail).then(
      (opened) => {
        port = opened;
        if (failed) return port.close();
        port.post({ type: "load", modelUrl });
        Promise.resolve(prefetchFiles).then((files) => files.length > 0 && !failed && port.post({ type: "prefetch", files }));
        Promise.resolve(metadata).then(
          (meta) => port.post({ type: "metadata", metadata: meta }),
          () => fail(new LoadError("metadata.json", "could not be loaded")), // the catalogue reports it
        );
      },
      (error) => fail(new LoadError("js/model-client.js", `could not start the model (${error.message})`)),
    );
  });
}

/** Run the model for one visitor, in its worker: {scores, stars} as Float32Array[num_books], pickedRows, reasonRows. */
export async function scorePicks(model, picks) {
  const { scores, stars, pickedRows, reasonRows } = await model.score(picks);
  return { scores, stars, pickedRows, reasonRows };
}

/** The unit-length book vectors and neighbor table (recommend.js's similarityMatrix), from the worker. */
export function similarityMatrix(model) {
  return model.similarity;
}
