// The model's side of the page <-> model conversation: runs in web/model-worker.js (a module
// Web Worker, so TF.js, the model's build and every run stay off the page's main thread), or on
// the page itself where no module worker can be started (model-client.js). No TF.js here: the
// functions that use it come in as `run` (loader.js's loadModel, recommend.js's scorePicks and
// similarityMatrix), so node tests drive this with stand-ins.
//
// The model comes in two parts (model/shards.py): the first holds the per-pick tables' first
// rows (the most rated books) and everything else; the later part the tables' other rows. A
// score request whose picks need the later part waits for it (and asks for it); nothing is
// ever scored with rows that are not in.
//
// Messages in (model-client.js sends them):
//   {type: "load", modelUrl}  start fetching TF.js, model.json and the first part's shards at once
//   {type: "metadata", metadata}  metadata.json, once the page has it (one download for both)
//   {type: "score", id, picks}  {book_id: stars} -> a "scored" answer with the same id
//   {type: "whole", id}  fetch the later part now, if not in -> a "whole" answer with the same id
//   {type: "prefetch", files}  ask for these files now, into the HTTP cache (`run.prefetch`)
// Messages out:
//   {type: "loaded"}  the host's code is all in (`run.codeLoaded`: the worker's modules), so the
//     page may now check them against its build; what it fetched before would not be what ran.
//     Always before "ready"; code that could not be loaded fails the load instead
//   {type: "progress", fraction}  the first part's bytes so far (0..1), when its whole percent changes
//   {type: "ready", similarity, firstRows}  the model is built; similarity.matrix and the
//     neighbor table's arrays are transferred (the page computes reasons and similar books from
//     them). firstRows: null when the whole model is in, else the neighbor table holds only its
//     first firstRows rows (the others are zero) until the "whole" with id null
//   {type: "whole", id: null, similarity}  the later part is in (posted once, unasked, as
//     "failed" with id null is): the whole neighbor table (transferred); posted before any
//     answer that waited for it
//   {type: "scored", id, scores, stars, pickedRows, reasonRows}  (scores, stars transferred)
//   {type: "whole", id}  the answer to a "whole" request: the whole model is in (the "whole"
//     with id null came first)
//   {type: "failed", id, error}  a request failed (id), or loading did (id null): the error as
//     errorMessage() writes it; after a load failure nothing more is answered. A later part
//     that failed is fetched again by the next request that needs it.
import { LoadError } from "./checked-fetch.js";

/** An error as a message can carry it: LoadError and NewBuildError keep their name and file. */
export function errorMessage(error) {
  return { name: error?.name ?? "Error", file: error?.file ?? null, message: error?.message ?? String(error) };
}

/** The typed arrays of a similarity (similarityMatrix) that can be transferred, each buffer once. */
export function similarityBuffers(similarity) {
  const arrays = [similarity.matrix, similarity.neighbors?.rows, similarity.neighbors?.weights];
  return [...new Set(arrays.filter(Boolean).map((array) => array.buffer))];
}

/** Whether scoring `picks` ({book_id: stars}) needs rows beyond the first `firstRows` (null: all in). */
export function needsLater(picks, rowOf, firstRows) {
  if (firstRows === null) return false;
  return Object.keys(picks).some((bookId) => (rowOf.get(Number(bookId)) ?? -1) >= firstRows);
}

/**
 * The handler of the messages above. `post(message, transfer)` answers;
 * `run = {loadModel, scorePicks, similarityMatrix, rowIndex, codeLoaded, prefetch}` (each may return a promise;
 * loadModel is loader.js's, called with `first: true`; codeLoaded, a promise that the code
 * they need is in, "loaded" posted once it is: at once without it). Score requests that come before the
 * model is in wait for it, and are answered in the order they came; a "whole" request runs
 * beside them.
 */
export function createModelHost(post, run) {
  let resolveMetadata;
  const metadata = new Promise((resolve) => (resolveMetadata = resolve));
  let model = null; // a promise of {model, metadata, rowOf, firstRows, loadLater} once "load" came
  let later = null; // a promise of the whole model, once a request asked for it
  let queue = Promise.resolve(); // one request at a time, in order
  // "loaded" always comes before "ready": the page checks the worker's files on it, and only
  // then takes the model. (Two imports of one module may resolve in either order.)
  const codeIn = Promise.resolve(run.codeLoaded).then(() => post({ type: "loaded" }));
  codeIn.catch(() => {}); // the load reports it (loadModel's own error first, where it has one)

  function load(modelUrl) {
    // Posted when its whole percent changes: a download reports every few kilobytes, hundreds
    // of times, and each message is a task on the page's main thread.
    let percent = -1;
    const onFraction = (fraction) => {
      if (Math.floor(fraction * 100) === percent) return;
      percent = Math.floor(fraction * 100);
      post({ type: "progress", fraction });
    };
    model = run.loadModel(metadata, { modelUrl, onFraction, first: true }).then(async (loaded) => {
      const meta = await metadata;
      const similarity = await run.similarityMatrix(loaded.model, meta);
      const rowOf = await run.rowIndex(meta);
      const firstRows = loaded.firstRows ?? null;
      await codeIn.catch(() => {
        throw new LoadError("model-worker.js", "could not load all of its code (offline, or the connection broke)");
      });
      post({ type: "ready", similarity, firstRows }, similarityBuffers(similarity));
      return { model: loaded.model, metadata: meta, rowOf, firstRows, loadLater: loaded.loadLater };
    });
    model.catch((error) => post({ type: "failed", id: null, error: errorMessage(error) }));
  }

  /** The whole model in `current` (the later part fetched once, again after a failure); "whole" (id null) posted. */
  function whole(current) {
    if (current.firstRows === null) return Promise.resolve();
    later ??= current.loadLater().then(async ({ model: wholeModel }) => {
      const similarity = await run.similarityMatrix(wholeModel, current.metadata);
      const first = current.model;
      Object.assign(current, { model: wholeModel, firstRows: null, loadLater: null }); // its first-part bytes go
      queue = queue.then(() => first.dispose?.()); // after the requests already under way
      post({ type: "whole", id: null, similarity }, similarityBuffers(similarity));
    });
    later.catch(() => (later = null));
    return later;
  }

  async function answerWhole(id) {
    try {
      await whole(await model);
      post({ type: "whole", id });
    } catch (error) {
      post({ type: "failed", id, error: errorMessage(error) });
    }
  }

  async function score(id, picks) {
    try {
      const loaded = await model;
      if (needsLater(picks, loaded.rowOf, loaded.firstRows)) await whole(loaded);
      const result = await run.scorePicks(loaded.model, picks, loaded.metadata, loaded.rowOf);
      // Copies: TF.js may hand out its own buffers, which must not be detached by the transfer.
      const scores = Float32Array.from(result.scores);
      const stars = Float32Array.from(result.stars);
      const { pickedRows, reasonRows } = result;
      post({ type: "scored", id, scores, stars, pickedRows, reasonRows }, [scores.buffer, stars.buffer]);
    } catch (error) {
      post({ type: "failed", id, error: errorMessage(error) });
    }
  }

  return function handle(message) {
    if (message.type === "load" && model === null) load(message.modelUrl);
    else if (message.type === "metadata") resolveMetadata(message.metadata);
    else if (message.type === "score" && model !== null) queue = queue.then(() => score(message.id, message.picks));
    else if (message.type === "whole" && model !== null) answerWhole(message.id); // never holds up a score
    else if (message.type === "prefetch") run.prefetch?.(message.files);
  };
}
