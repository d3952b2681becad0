// Downloads checked before they are used: every failure is a LoadError whose message names the
// file and what went wrong, for the page to show; a file of another build than the page's is a
// NewBuildError (or a ChangedFileError), never used. No DOM here. What the page loads with these
// (the catalogue, the model and its weights) is loader.js's.

// A download that receives nothing for this long is given up (it may still be slow: every
// chunk that arrives restarts the clock).
const STALL_MS = 30_000;
// Reading a download yields to the page's other main-thread work after this long.
const SLICE_MS = 25;

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
export function concatBytes(chunks) {
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
export async function fetchBytes(url, { onBytes = () => {}, cache = "default" } = {}) {
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
    if (!response.ok) {
      const error = new LoadError(url, `HTTP ${response.status} ${response.statusText}`.trim());
      error.status = response.status;
      throw error;
    }
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
 * Throw unless `bytes` are the file `name` that site.json's site_files names (sitebuild/manifest.py
 * writes them: SHA-256 and size); `metadata` is the page's metadata, site.json's facts merged in
 * (fetchMetadata). Without crypto.subtle (plain http away from localhost) the size is compared;
 * a metadata without site_files checks nothing.
 *
 * A file that does not match is of a newer build (NewBuildError: the page offers to reload
 * whole) only if the server's site.json, asked again, is of another build too. If it is
 * still `metadata`'s build, the file was changed or damaged on the server without a rebuild:
 * a ChangedFileError, since reloading the page would only meet the same file again.
 */
export async function checkBuildFile(name, bytes, metadata) {
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

// The site build's facts about the build (sitebuild/manifest.py): build, site_files, catalogue_parts. The
// stages' own files (metadata.json, map.json) are served as their stage wrote them.
const SITE_FACTS = "site.json";

/**
 * site.json of `build`, the page's own; `file` is the file it is fetched for. A server without
 * one (404: a site rolled back to a build from before site.json, a half-copied deploy) or with
 * another build's is not this page's build: a NewBuildError (reload), never a network error
 * that Retry would meet again.
 */
async function siteFactsOf(build, file) {
  let site;
  try {
    site = await fetchJson(SITE_FACTS);
  } catch (error) {
    if (error.status === 404) throw new NewBuildError(file);
    throw error;
  }
  if (site?.build !== build) throw new NewBuildError(file);
  return site;
}

/**
 * {json, site}: the JSON file `name` and site.json, fetched at once; site.json must be of
 * `build`, the page's own (else a NewBuildError, siteFactsOf), and `name` the file site.json
 * names (checkBuildFile).
 */
async function fetchBesideSiteFacts(name, build) {
  const [bytes, site] = await Promise.all([fetchBytes(name), siteFactsOf(build, name)]);
  await checkBuildFile(name, bytes, site);
  return { json: parseJson(name, bytes), site };
}

/**
 * The ids of metadata.json's `book_id_runs` ([[first id, count], ...], model/metadata.py:
 * goodbooks' 1..10000 is [[1, 10000]]) in row order; a LoadError for runs of another shape, or
 * (with `numBooks`) runs that do not hold that many ids, counted before any is listed.
 */
export function idsFromRuns(runs, numBooks = null) {
  const ok = (run) => Array.isArray(run) && run.length === 2 && run.every(Number.isInteger) && run[1] >= 1;
  if (!Array.isArray(runs) || !runs.every(ok)) throw new LoadError("metadata.json", "has book_id_runs that are not [first id, count] runs");
  const total = runs.reduce((sum, [, count]) => sum + count, 0);
  if (numBooks !== null && total !== numBooks) throw new LoadError("metadata.json", `has book_id_runs of ${total} ids, not num_books (${numBooks})`);
  return runs.flatMap(([first, count]) => Array.from({ length: count }, (_, i) => first + i));
}

/** metadata.json as the page uses it: `book_ids` from its `book_id_runs` (an older file has the list). */
function withBookIds(metadata) {
  if (metadata.book_id_runs === undefined) return metadata;
  return { ...metadata, book_ids: idsFromRuns(metadata.book_id_runs, metadata.num_books ?? null) };
}

/**
 * The page's metadata: metadata.json (model.train's) with site.json's facts merged in, checked
 * against them (fetchBesideSiteFacts), and its book ids (withBookIds). A page served unbuilt
 * (`build` null: no <meta name="shelf-build">) has no site.json: metadata.json alone, nothing checked.
 */
export async function fetchMetadata(build = null) {
  if (build === null) return withBookIds(await fetchJson("metadata.json"));
  const { json, site } = await fetchBesideSiteFacts("metadata.json", build);
  return { ...withBookIds(json), ...site };
}

/**
 * A JSON file of the site that no metadata goes with (the map page's map.json), checked like
 * fetchMetadata checks metadata.json: against site.json, which must be of `build` (null: unchecked).
 */
export async function fetchSiteJson(name, build = null) {
  if (build === null) return fetchJson(name);
  return (await fetchBesideSiteFacts(name, build)).json;
}

/**
 * Ask for `files` now, into the HTTP cache, where the requests that use them later find them
 * (the same URL, asked while this one is under way, waits for it rather than downloading
 * twice). Nothing is checked or kept here: a failure is the later request's to report.
 */
export function prefetch(files) {
  for (const file of files) {
    fetch(file)
      .then((response) => response.arrayBuffer())
      .catch(() => {});
  }
}

/** `bytes` (the file `url`) as JSON; a file cut short or corrupt is a LoadError that says so. */
export function parseJson(url, bytes) {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new LoadError(url, `is not valid JSON (${bytes.byteLength} bytes; cut short?)`);
  }
}

/** The next task (scheduler.yield where the browser has it, else a 0 ms timeout). */
export function nextTask() {
  if (globalThis.scheduler?.yield) return globalThis.scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * `bytes` (the file `url`) against the content hash in its name ("<name>.<hex>.<ext>": the
 * shards, model/export.py; the catalogue's parts, sitebuild/catalogue.py): a LoadError when they differ.
 * A name without a hash, or a browser without crypto.subtle, checks nothing.
 */
export async function checkNameHash(url, bytes) {
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
