// Loads what the page needs: books.json (whole or in parts) and the TF.js model, with progress.
// Every download goes through checked-fetch.js (a LoadError naming the file for any failure, the
// page's build checked), the model's weights through weights.js. No DOM here: progress goes to
// callbacks. TF.js (over 200 KB compressed) is imported only by loadModel, so
// the page can show the popular books and its search box before it arrives.
import { LoadError, NewBuildError, checkBuildFile, checkNameHash, fetchBytes, fetchMetadata, nextTask, parseJson } from "./checked-fetch.js";
import { fillLater, loadWeights } from "./weights.js";

// Decoding the catalogue yields after each piece of this many bytes.
const DECODE_BYTES = 256 * 1024;

// books.json parsed a slice at a time: one JSON.parse of its 2 MB is a main-thread task of a few
// hundred milliseconds on a phone. sitebuild/catalogue.py writes it one book per line ("[", then
// one book per line, each but the last ending in ",", then "]"), so the lines can be parsed in
// groups with a pause between them. Any other layout is parsed whole. (Here, not in a module of
// its own: the model's worker imports this module, and every import is a round trip before it runs.)

/**
 * The JSON value of `text`, as JSON.parse gives it (a SyntaxError where it is not JSON). A list
 * written one item per line is parsed `rowsPerSlice` lines at a time, awaiting pause() between.
 */
export async function parseBookLines(text, { rowsPerSlice = 500, pause = nextTask } = {}) {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop(); // a final newline
  const byLine = lines.length >= 2 && lines[0] === "[" && lines.at(-1) === "]";
  if (!byLine) return JSON.parse(text);
  const items = lines.slice(1, -1);
  const books = [];
  for (let start = 0; start < items.length; start += rowsPerSlice) {
    if (start > 0) await pause();
    const slice = items.slice(start, start + rowsPerSlice);
    const last = start + slice.length === items.length;
    // Each line but the very last ends with the comma that separates it from the next.
    slice.forEach((line, i) => {
      const ends = line.endsWith(",");
      if (ends === (last && i === slice.length - 1)) throw new SyntaxError(`books.json: line ${start + i + 2} is not one item`);
    });
    const body = slice.join("\n");
    for (const book of JSON.parse(`[${last ? body : body.slice(0, -1)}]`)) books.push(book);
  }
  return books;
}

/** books.json's `bytes` as parseJson gives them, parsed in slices that yield (catalogue-parse.js). */
async function parseCatalogue(url, bytes) {
  try {
    // Decoded a piece at a time too: 2 MB of UTF-8 is itself a long task on a phone.
    const decoder = new TextDecoder();
    let text = "";
    for (let at = 0; at < bytes.byteLength; at += DECODE_BYTES) {
      if (at > 0) await nextTask();
      const piece = new Uint8Array(bytes, at, Math.min(DECODE_BYTES, bytes.byteLength - at));
      text += decoder.decode(piece, { stream: true });
    }
    text += decoder.decode();
    return await parseBookLines(text);
  } catch {
    throw new LoadError(url, `is not valid JSON (${bytes.byteLength} bytes; cut short?)`);
  }
}

/**
 * Part `part` of the catalogue (site.json's catalogue_parts, sitebuild/catalogue.py): the
 * books of rows part * rows onwards, as in books.json. Checked like a shard: its SHA-256
 * against the hash in its name, its length against the rows it must hold. A LoadError otherwise.
 */
export async function fetchCataloguePart(metadata, part) {
  const { rows, files } = metadata.catalogue_parts;
  const url = files[part];
  const bytes = await fetchBytes(url);
  await checkNameHash(url, bytes);
  const books = parseJson(url, bytes);
  if (!Array.isArray(books) || books.length !== Math.min(rows, metadata.num_books - part * rows)) {
    throw new LoadError(url, "does not match metadata.json (a rebuild in progress?); retry");
  }
  return books;
}

/**
 * Load metadata.json and books.json. Resolves to {metadata, books}; rejects with a LoadError
 * naming the file that failed (a NewBuildError for a file of another build than `build`, the
 * page's own: <meta name="shelf-build">). onBytes(received) reports books.json's progress;
 * `metadata`, a promise of metadata.json, shares one download with loadModel.
 */
export async function loadCatalogue({ build = null, onBytes = () => {}, metadata: pending = null } = {}) {
  // JSON is served "no-cache", so these revalidate. `metadata`: metadata.json already asked for.
  const [metadata, booksBytes] = await Promise.all([pending ?? fetchMetadata(build), fetchBytes("books.json", { onBytes })]);
  // One build throughout: metadata.json is the page's, and names every other file of it.
  if (build !== null && metadata.build !== build) throw new NewBuildError("metadata.json");
  await checkBuildFile("books.json", booksBytes, metadata);
  const books = await parseCatalogue("books.json", booksBytes);
  if (!Array.isArray(books) || books.length !== metadata.num_books || metadata.book_ids?.length !== metadata.num_books) {
    throw new LoadError("books.json", "does not match metadata.json (a rebuild in progress?); retry");
  }
  // The page's own work on the catalogue (main.js, catalogueArrived) then runs in a task of its
  // own: two main-thread tasks on a phone instead of one twice as long (Total Blocking Time).
  await new Promise((resolve) => setTimeout(resolve, 0));
  return { metadata, books };
}

/**
 * TF.js and the model that `metadata` (a promise of metadata.json, or the object) names.
 * Starts fetching TF.js, model.json and the shards at once, before metadata.json is in:
 * model.json's URL is `modelUrl` until metadata says otherwise. onFraction(0..1) reports the
 * weights' bytes. The CPU backend keeps the browser's scores equal to Python's (to ~1e-5).
 *
 * Resolves to {tf, model, firstRows, loadLater}. By default the whole model is loaded
 * (firstRows null, loadLater null). With `first: true` only the first part is (model/shards.py):
 * the per-pick tables hold their first `firstRows` rows, the others placeholders, so the model may
 * only score picks among those rows; loadLater() fetches the rest and resolves to the whole
 * model ({model}), built anew. Without later shards the first part is the whole model.
 */
export async function loadModel(metadata, { onFraction = () => {}, modelUrl = "model/model.json", first = false } = {}) {
  const tfReady = import("../vendor/tf.fesm.min.js").then(async (tf) => {
    await import("./layers.js"); // registers the model's custom layers with tf.serialization
    await tf.setBackend("cpu");
    await tf.ready();
    return tf;
  });
  tfReady.catch(() => {}); // awaited below; a failure is reported there
  const modelBytes = fetchBytes(modelUrl);
  modelBytes.catch(() => {});
  const meta = await metadata;
  const url = meta.model_url ?? modelUrl;
  const bytes = url === modelUrl ? await modelBytes : await fetchBytes(url);
  await checkBuildFile(url, bytes, meta);
  const modelJson = parseJson(url, bytes);
  const weights = await loadWeights(url, modelJson, onFraction, first);
  let tf;
  try {
    tf = await tfReady;
  } catch {
    throw new LoadError("TF.js", "could not be downloaded (offline, or the connection broke)");
  }
  const build = async (weightData) => {
    try {
      const { modelTopology, format, generatedBy, convertedBy, trainingConfig } = modelJson;
      const artifacts = { modelTopology, format, generatedBy, convertedBy, trainingConfig, weightSpecs: weights.weightSpecs, weightData };
      return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new LoadError(url, `could not be read as a model (${error.message})`);
    }
  };
  const model = await build(weights.weightData);
  if (weights.holes.length === 0) return { tf, model, firstRows: null, loadLater: null };
  const loadLater = async () => ({ model: await build(await fillLater(weights)) });
  return { tf, model, firstRows: modelJson.userDefinedMetadata.first_rows, loadLater };
}

/**
 * Load metadata, catalogue and model (the map page). Resolves to {tf, metadata, books, model};
 * rejects with a LoadError naming the file that failed (a NewBuildError for a file of another
 * build than `build`).
 */
export async function loadSite({ onProgress = () => {}, build = null } = {}) {
  onProgress(0.02, "Loading the catalogue…");
  const pending = fetchMetadata(build);
  pending.catch(() => {}); // reported by loadCatalogue
  const catalogue = loadCatalogue({ build, metadata: pending });
  const model = loadModel(
    pending,
    { onFraction: (fraction) => onProgress(0.25 + 0.75 * fraction, "Loading the model…") },
  );
  model.catch(() => {}); // a catalogue failure is the one reported
  const { metadata, books } = await catalogue;
  onProgress(0.25, "Loading the model…");
  const { tf, model: loaded } = await model;
  onProgress(1, "Ready");
  return { tf, metadata, books, model: loaded };
}
