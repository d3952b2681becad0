// The model's side of the page <-> model conversation: runs in web/model-worker.js (a module
// Web Worker, so TF.js, the model's build and every run stay off the page's main thread), or on
// the page itself where no module worker can be started (model-client.js). No TF.js here: the
// functions that use it come in as `run` (loader.js's loadModel, recommend.js's scorePicks and
// similarityMatrix), so node tests drive this with stand-ins.
//
// Messages in (model-client.js sends them):
//   {type: "load", modelUrl}  start fetching TF.js, model.json and the shards at once
//   {type: "metadata", metadata}  metadata.json, once the page has it (one download for both)
//   {type: "score", id, picks}  {book_id: stars} -> a "scored" answer with the same id
// Messages out:
//   {type: "progress", fraction}  the weights' bytes so far (0..1)
//   {type: "ready", similarity}  the model is built; similarity.matrix and the neighbor table's
//     arrays are transferred (the page computes reasons and similar books from them)
//   {type: "scored", id, scores, stars, pickedRows, reasonRows}  (scores, stars transferred)
//   {type: "failed", id, error}  a score request failed (id), or loading did (id null): the
//     error as errorMessage() writes it; after a load failure nothing more is answered

/** An error as a message can carry it: LoadError and NewBuildError keep their name and file. */
export function errorMessage(error) {
  return { name: error?.name ?? "Error", file: error?.file ?? null, message: error?.message ?? String(error) };
}

/** The typed arrays of a similarity (similarityMatrix) that can be transferred, each buffer once. */
export function similarityBuffers(similarity) {
  const arrays = [similarity.matrix, similarity.neighbors?.rows, similarity.neighbors?.weights];
  return [...new Set(arrays.filter(Boolean).map((array) => array.buffer))];
}

/**
 * The handler of the messages above. `post(message, transfer)` answers;
 * `run = {loadModel, scorePicks, similarityMatrix, rowIndex}` (each may return a promise). Score requests that come before
 * the model is in wait for it, and are answered in the order they came.
 */
export function createModelHost(post, run) {
  let resolveMetadata;
  const metadata = new Promise((resolve) => (resolveMetadata = resolve));
  let model = null; // a promise of {model, metadata, rowOf} once "load" came
  let queue = Promise.resolve(); // one model run at a time, in order

  function load(modelUrl) {
    model = run
      .loadModel(metadata, { modelUrl, onFraction: (fraction) => post({ type: "progress", fraction }) })
      .then(async ({ model: loaded }) => {
        const meta = await metadata;
        const similarity = await run.similarityMatrix(loaded, meta);
        const rowOf = await run.rowIndex(meta);
        post({ type: "ready", similarity }, similarityBuffers(similarity));
        return { model: loaded, metadata: meta, rowOf };
      });
    model.catch((error) => post({ type: "failed", id: null, error: errorMessage(error) }));
  }

  async function score(id, picks) {
    try {
      const loaded = await model;
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
  };
}
