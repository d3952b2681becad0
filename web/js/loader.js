// Loads what the page needs: metadata.json, books.json and the TF.js model, with progress.
// No DOM here: progress goes to the onProgress(fraction, message) callback, and every failure
// is a LoadError whose message names the file and what went wrong, for the page to show.
// TF.js (over 200 KB compressed) is imported only by loadModel, so the page can show the
// popular books and its search box before it arrives.

// A download that receives nothing for this long is given up (it may still be slow: every
// chunk that arrives restarts the clock).
const STALL_MS = 30_000;
// Main-thread work (reading a download, decoding and parsing the catalogue) yields after this long.
const SLICE_MS = 25;
const DECODE_BYTES = 256 * 1024;
// Bytes per element of each dtype a TF.js weights manifest can hold (server/tfjs_weights.py and
// model/shards.py too, all held to tests/golden/dtype_bytes.json).
export const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** A file of the site that could not be loaded: `file` and a sentence for the visitor. */
export class LoadError extends Error {
  constructor(file, problem) {
    super(`${file}: ${problem}`);
    this.name = "LoadError";
    this.file = file;
  }
}

/**
 * A file of another build than this page's: the site was rebuilt while the page was open (or
 * loading). Nothing of it is used; the page offers to reload whole.
 */
export class NewBuildError extends LoadError {
  constructor(file) {
    super(file, "is from a newer version of the site than this page (Shelf was updated while it was open); reload the page");
    this.name = "NewBuildError";
  }
}

/**
 * A file that does not match this page's build although the server's build is still the page's:
 * changed or damaged on the server without a rebuild (a hand edit, a half-copied deploy). Not a
 * newer version: reloading the page would meet the same file.
 */
export class ChangedFileError extends LoadError {
  constructor(file) {
    super(file, "was changed or damaged on the server (it does not match this version of the site's site.json), so it is not used");
    this.name = "ChangedFileError";
  }
}

/** The chunks joined into one Uint8Array. */
function concatBytes(chunks) {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * GET `url` into an ArrayBuffer. onBytes(received) reports progress; a stall of STALL_MS
 * without a byte aborts. Errors are LoadErrors: HTTP status, offline, stalled.
 */
async function fetchBytes(url, { onBytes = () => {}, cache = "default" } = {}) {
  const controller = new AbortController();
  let stalled = false;
  let timer = null;
  let lastByte = Date.now();
  // One timer, not one per chunk (a phone's download comes in thousands of small chunks): when
  // it fires it looks at when the last byte came.
  const arm = (delay) => {
    timer = setTimeout(() => {
      const quiet = Date.now() - lastByte;
      if (quiet < STALL_MS) return arm(STALL_MS - quiet);
      stalled = true;
      controller.abort();
    }, delay);
  };
  arm(STALL_MS);
  try {
    const response = await fetch(url, { signal: controller.signal, cache });
    if (!response.ok) throw new LoadError(url, `HTTP ${response.status} ${response.statusText}`.trim());
    const reader = response.body.getReader();
    const chunks = [];
    let received = 0;
    let since = performance.now();
    for (;;) {
      lastByte = Date.now();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      onBytes(received);
      // A body that is all at hand (the service worker's cache) is read in one task otherwise.
      if (performance.now() - since > SLICE_MS) {
        await nextTask();
        since = performance.now();
      }
    }
    return concatBytes(chunks).buffer;
  } catch (error) {
    if (error instanceof LoadError) throw error;
    if (stalled) throw new LoadError(url, `no data for ${STALL_MS / 1000} s (the connection stalled)`);
    throw new LoadError(url, "could not be downloaded (offline, or the connection broke)");
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Throw unless `bytes` are the file `name` that site.json's site_files names (build_site.py
 * writes them: SHA-256 and size); `metadata` is the page's metadata, site.json's facts merged in
 * (fetchMetadata). Without crypto.subtle (plain http away from localhost) the size is compared;
 * a metadata without site_files checks nothing.
 *
 * A file that does not match is of a newer build (NewBuildError: the page offers to reload
 * whole) only if the server's site.json, asked again, is of another build too. If it is
 * still `metadata`'s build, the file was changed or damaged on the server without a rebuild:
 * a ChangedFileError, since reloading the page would only meet the same file again.
 */
async function checkBuildFile(name, bytes, metadata) {
  const expected = metadata?.site_files?.[name];
  if (!expected) return;
  const actual = await sha256Hex(bytes);
  if (actual === null ? bytes.byteLength === expected.bytes : actual === expected.sha256) return;
  const now = await fetchBytes(SITE_FACTS, { cache: "no-cache" })
    .then((current) => parseJson(SITE_FACTS, current))
    .catch(() => null); // unreadable now: taken as a rebuild under way
  if (now !== null && now.build === metadata.build) throw new ChangedFileError(name);
  throw new NewBuildError(name);
}

/**
 * Fetch each of `names` (site_files names, relative to `base`) again, revalidated, and check it
 * against `metadata` (checkBuildFile): the modules the model's worker imported, which were
 * fetched by the browser's module loader, out of this code's reach.
 */
export async function checkBuildFiles(names, metadata, base) {
  const check = async (name) => checkBuildFile(name, await fetchBytes(new URL(name, base).href, { cache: "no-cache" }), metadata);
  await Promise.all(names.map(check));
}

/**
 * fetchBytes + JSON; a cut-short or corrupt file is a LoadError that says so. With `check`
 * (metadata.json), the file must be the one of that build (checkBuildFile).
 */
export async function fetchJson(url, { check = null, ...options } = {}) {
  const bytes = await fetchBytes(url, options);
  await checkBuildFile(url, bytes, check);
  return parseJson(url, bytes);
}

// The site build's facts about the build (build_site.py): build, site_files, catalogue_parts. The
// stages' own files (metadata.json, map.json) are served as their stage wrote them.
const SITE_FACTS = "site.json";

/**
 * The page's metadata: metadata.json (model.train's) with site.json's facts merged in, both
 * fetched at once; site.json must be of `build`, the page's own (else a NewBuildError), and
 * metadata.json the file site.json names (checkBuildFile). A page served unbuilt (`build` null:
 * no <meta name="shelf-build">) has no site.json: metadata.json alone, nothing checked.
 */
export async function fetchMetadata(build = null) {
  if (build === null) return fetchJson("metadata.json");
  const [bytes, site] = await Promise.all([fetchBytes("metadata.json"), fetchJson(SITE_FACTS)]);
  if (site.build !== build) throw new NewBuildError("metadata.json");
  await checkBuildFile("metadata.json", bytes, site);
  return { ...parseJson("metadata.json", bytes), ...site };
}

/**
 * A JSON file of the site that no metadata goes with (the map page's map.json), checked like
 * fetchMetadata checks metadata.json: against site.json, which must be of `build` (null: unchecked).
 */
export async function fetchSiteJson(name, build = null) {
  if (build === null) return fetchJson(name);
  const [bytes, site] = await Promise.all([fetchBytes(name), fetchJson(SITE_FACTS)]);
  if (site.build !== build) throw new NewBuildError(name);
  await checkBuildFile(name, bytes, site);
  return parseJson(name, bytes);
}

/** `bytes` (the file `url`) as JSON; a file cut short or corrupt is a LoadError that says so. */
function parseJson(url, bytes) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new LoadError(url, `is not valid JSON (${bytes.byteLength} bytes; cut short?)`);
  }
}

// books.json parsed a slice at a time: one JSON.parse of its 2 MB is a main-thread task of a few
// hundred milliseconds on a phone. scripts/build_site.py writes it one book per line ("[", then
// one book per line, each but the last ending in ",", then "]"), so the lines can be parsed in
// groups with a pause between them. Any other layout is parsed whole. (Here, not in a module of
// its own: the model's worker imports this module, and every import is a round trip before it runs.)
/** The next task (scheduler.yield where the browser has it, else a 0 ms timeout). */
function nextTask() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

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
 * `bytes` (the file `url`) against the content hash in its name ("<name>.<hex>.<ext>": the
 * shards, model/export.py; the catalogue's parts, build_site.py): a LoadError when they differ.
 * A name without a hash, or a browser without crypto.subtle, checks nothing.
 */
async function checkNameHash(url, bytes) {
  const hash = /\.([0-9a-f]{8,})\.[a-z]+$/.exec(url)?.[1];
  const actual = hash ? await sha256Hex(bytes) : null;
  if (actual !== null && !actual.startsWith(hash)) {
    throw new LoadError(url, "is corrupt (its content does not match the hash in its name)");
  }
}

/**
 * An optional file (content_similar.json, genres.json: written by the explorer); null when it
 * is absent or unreadable. With `check` (metadata.json), a file of another build is a
 * NewBuildError, never used.
 */
export async function fetchOptionalJson(url, { check = null } = {}) {
  let bytes;
  try {
    const response = await fetch(url, { cache: "no-cache" });
    if (!response.ok) return null;
    bytes = await response.arrayBuffer();
  } catch {
    return null;
  }
  await checkBuildFile(url, bytes, check);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}

/** Hex SHA-256 of `bytes`, or null where the browser offers no crypto.subtle (plain http). */
async function sha256Hex(bytes) {
  if (!globalThis.crypto?.subtle) return null;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The bytes a manifest group's weights take, or null when a dtype is unknown. */
function groupBytes(group) {
  let total = 0;
  for (const weight of group.weights) {
    const size = DTYPE_BYTES[weight.quantization?.dtype ?? weight.dtype];
    if (size === undefined) return null;
    total += weight.shape.reduce((a, b) => a * b, 1) * size;
  }
  return total;
}

/**
 * Each shard of `manifest` in order: [{path, group, bytes, later}]. `later` ({path: bytes},
 * model.json's later shards) gives those shards' sizes; a group's one other shard has the rest
 * of the group's bytes. `bytes` is null where that is not known (a dtype this code does not
 * know, or several shards of unknown size: the converter's own cut), and such a group is
 * checked as a whole; only shards of known size can be left for later.
 */
function shardPlan(manifest, later) {
  return manifest.flatMap((group, index) => {
    const total = groupBytes(group);
    const sizes = group.paths.map((path) => (Object.hasOwn(later, path) && Number.isInteger(later[path]) ? later[path] : null));
    const unknown = sizes.filter((size) => size === null).length;
    const rest = total === null ? null : total - sizes.reduce((sum, size) => sum + (size ?? 0), 0);
    return group.paths.map((path, i) => {
      const bytes = total === null ? null : (sizes[i] ?? (unknown === 1 ? rest : null));
      return { path, group: index, bytes, later: total !== null && sizes[i] !== null };
    });
  });
}

/** A shard's length against what model.json needs: a LoadError that says how it differs. */
function checkLength(url, received, needed) {
  if (needed === null || received === needed) return;
  const what = received < needed ? "is cut short" : "is too long";
  throw new LoadError(url, `${what}: ${received} bytes where model.json needs ${needed}`);
}

/**
 * Fetch one shard and check it: its length (`bytes`, when known) against model.json's
 * manifest, then its SHA-256 against the hash in its name (model/export.py).
 */
async function fetchShard(base, { path, bytes }, onBytes = () => {}) {
  const url = base + path;
  const data = new Uint8Array(await fetchBytes(url, { onBytes }));
  checkLength(url, data.length, bytes);
  await checkNameHash(url, data);
  return data;
}

/**
 * The model's weights, every shard checked before TF.js sees it (fetchShard; a group of
 * shards of unknown sizes as a whole). The shards are fetched at once. With `deferLater`,
 * model.json's later shards (model/shards.py: the rows of the per-pick tables beyond the
 * first ones) are left out: placeholder bytes (zeros, never read) stand in for them, listed in
 * `holes` for fillLater.
 * Returns {weightSpecs, weightData, holes, base}.
 */
async function loadWeights(modelUrl, modelJson, onFraction, deferLater) {
  const base = modelUrl.slice(0, modelUrl.lastIndexOf("/") + 1);
  const manifest = modelJson.weightsManifest;
  const plan = shardPlan(manifest, deferLater ? (modelJson.userDefinedMetadata?.later_shards ?? {}) : {});
  const now = plan.filter((shard) => !shard.later);
  const deferred = plan.reduce((sum, shard) => sum + (shard.later ? shard.bytes : 0), 0);
  const total = Math.max(1, manifest.reduce((sum, group) => sum + (groupBytes(group) ?? 0), 0) - deferred);
  const received = new Map();
  const data = await Promise.all(
    now.map((shard) =>
      fetchShard(base, shard, (n) => {
        received.set(shard.path, n);
        onFraction(Math.min(1, [...received.values()].reduce((a, b) => a + b, 0) / total));
      }),
    ),
  );
  const fetched = new Map(now.map((shard, i) => [shard.path, data[i]]));
  manifest.forEach((group, index) => {
    const shards = plan.filter((shard) => shard.group === index && !shard.later && shard.bytes === null);
    if (shards.length === 0 || groupBytes(group) === null) return;
    const length = shards.reduce((sum, shard) => sum + fetched.get(shard.path).length, 0);
    checkLength(shards.map((shard) => base + shard.path).join(", "), length, groupBytes(group));
  });
  const holes = [];
  let offset = 0;
  const parts = plan.map((shard) => {
    const part = fetched.get(shard.path) ?? new Uint8Array(shard.bytes);
    if (shard.later) holes.push({ ...shard, offset });
    offset += part.length;
    return part;
  });
  const weightSpecs = manifest.flatMap((group) => group.weights);
  return { weightSpecs, weightData: concatBytes(parts).buffer, holes, base };
}

/** The weights' bytes with the `holes` loadWeights left filled: each later shard fetched and checked. */
async function fillLater({ weightData, holes, base }) {
  const shards = await Promise.all(holes.map((hole) => fetchShard(base, hole)));
  const filled = new Uint8Array(weightData.slice(0));
  holes.forEach((hole, i) => filled.set(shards[i], hole.offset));
  return filled.buffer;
}

/**
 * Part `part` of the catalogue (metadata.json's catalogue_parts, scripts/build_site.py): the
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
