// The entry page's downloads: metadata.json (once, for both others), the catalogue (books.json)
// and the model (TF.js and its first part, in its worker: model-client.js); and, before the
// catalogue is in, the parts of it that name the first suggestions (namesFor). Which waits for
// which is main.js's (start; page-state.js catalogueWaitsForModel); what arrives, how far it is and what failed goes
// to main.js through `on`. No DOM here.
import { NewBuildError, fetchMetadata } from "./checked-fetch.js";
import { fetchCataloguePart, loadCatalogue } from "./loader.js";
import { loadModel } from "./model-client.js";
import { takeEarly } from "./boot.js";

// The page is told of progress at most this often (ms): each drawing of the progress bar is a
// style and layout pass on the main thread, and a phone's downloads report hundreds of times.
const PROGRESS_MS = 100;

/**
 * `state`: main.js's page state (page-state.js); `build`: the page's build id (null: any);
 * `on`: {catalogue(site), model({model, rec}), progress() (state.progress changed),
 * failed(error, what) ("catalogue" or "model"; state is already reset for Retry)}.
 */
export function createDownloads(state, build, on) {
  // metadata.json and the model, started as the page's code starts (boot.js, first in main.js's
  // bundle): taken over once each.
  const early = takeEarly();
  // main.js draws the popular books in its next task: two frames on, they are painted.
  early?.firstScreenDrawn();
  // The catalogue's first parts read as soon as the first screen is painted, where boot.js names
  // them (a visit the service worker serves), for the first suggestions' names (namesFor).
  early?.parts.then((files) => {
    if (files.length === 0 || state.site !== null) return;
    metadataIn().then((metadata) => {
      for (const file of files) {
        const part = metadata.catalogue_parts?.files.indexOf(file) ?? -1;
        if (part >= 0 && state.site === null) cataloguePart(part);
      }
    }, () => {}); // reported by the downloads that need it
  });
  let earlyMetadata = early?.metadata ?? null;
  let earlyModel = early;

  // state.progress is current at every report; on.progress runs at most every PROGRESS_MS (the
  // last report's drawing comes late rather than never), and never once both are in.
  let progressTimer = null;
  let progressDrawnAt = -Infinity;
  function progressed() {
    if (progressTimer !== null) return;
    const draw = () => {
      progressTimer = null;
      progressDrawnAt = performance.now();
      if (state.site === null || state.model === null) on.progress();
    };
    const wait = progressDrawnAt + PROGRESS_MS - performance.now();
    if (wait <= 0) draw();
    else progressTimer = setTimeout(draw, wait);
  }

  /** metadata.json, this page's build's (a newer one is a NewBuildError); kept in state.metadata. */
  function metadataIn() {
    if (state.loadingMetadata === null) {
      const fetched = earlyMetadata ?? fetchMetadata(build);
      earlyMetadata = null;
      const loading = fetched.then((metadata) => {
        if (build !== null && metadata.build !== build) throw new NewBuildError("metadata.json");
        state.metadata = metadata;
        // Every book's row, before the catalogue: a book picked or marked on the first
        // suggestions (named by the parts) is one of the shelf's like a popular one.
        if (state.site === null) state.rowOf = new Map(metadata.book_ids.map((bookId, row) => [bookId, row]));
        return metadata;
      });
      loading.catch(() => {}); // reported by the downloads that need it
      state.loadingMetadata = loading;
    }
    return state.loadingMetadata;
  }

  /** A failed download's traces gone, so that Retry starts it again (metadata.json too, if it failed). */
  function forget(what, error) {
    if (state.metadata === null) state.loadingMetadata = null;
    if (what === "catalogue") {
      state.loadingCatalogue = null;
      for (const waiting of state.waitingForCatalogue.splice(0)) waiting.reject(error);
    } else state.loadingModel = null;
  }

  /** Start the catalogue's download unless it is in or under way. */
  function startCatalogue() {
    state.catalogueWaits = false;
    if (state.site !== null || state.loadingCatalogue !== null) return;
    const loading = loadCatalogue({
      build,
      metadata: metadataIn(),
      onBytes: (received) => {
        state.progress.catalogue = Math.min(1, received / (state.popular?.books_json_bytes || 2e6));
        progressed();
      },
    });
    state.loadingCatalogue = loading;
    loading.then(
      (site) => {
        if (state.loadingCatalogue !== loading) return;
        state.loadingCatalogue = null;
        on.catalogue(site);
        for (const waiting of state.waitingForCatalogue.splice(0)) waiting.resolve();
      },
      (error) => {
        if (state.loadingCatalogue !== loading) return;
        forget("catalogue", error);
        on.failed(error, "catalogue");
      },
    );
    on.progress();
  }

  /** Start the model's download unless it is in or under way. */
  function startModel() {
    if (state.model !== null || state.loadingModel !== null) return;
    const onFraction = (fraction) => {
      state.progress.model = fraction;
      progressed();
    };
    let model;
    if (earlyModel !== null) {
      metadataIn(); // the same download as the model's
      earlyModel.onFraction(onFraction);
      model = earlyModel.model;
      earlyModel = null;
    } else model = loadModel(metadataIn(), { onFraction });
    const loading = Promise.all([model, import("./model-client.js")]).then(
      ([{ model }, rec]) => ({ model, rec }),
    );
    state.loadingModel = loading;
    loading.then(
      (loaded) => {
        if (state.loadingModel !== loading) return;
        state.loadingModel = null;
        on.model(loaded);
      },
      (error) => {
        if (state.loadingModel !== loading) return;
        forget("model", error);
        on.failed(error, "model");
      },
    );
  }

  /** Resolves once the catalogue is in (its download started if it waited); rejects with its error if it failed. */
  function catalogueIn() {
    if (state.site !== null) return Promise.resolve();
    startCatalogue();
    return new Promise((resolve, reject) => state.waitingForCatalogue.push({ resolve, reject }));
  }

  /** Part `part` of the catalogue into state.books (once; again after a failure). */
  function cataloguePart(part) {
    if (!state.parts.has(part)) {
      const metadata = state.metadata;
      const loading = fetchCataloguePart(metadata, part).then((books) => {
        if (state.site !== null || state.metadata !== metadata) return; // the whole catalogue came first
        const first = part * metadata.catalogue_parts.rows;
        books.forEach((book, i) => (state.books[first + i] ??= book));
      });
      loading.catch(() => state.parts.delete(part));
      state.parts.set(part, loading);
    }
    return state.parts.get(part);
  }

  /**
   * Resolves once every one of `rows` has its book in state.books. Before the catalogue is in,
   * the parts of it that hold them are fetched (site.json's catalogue_parts: a first
   * suggestion on a phone needs a few KB of names, not all of books.json); where a part cannot
   * be had, the catalogue itself is waited for (and its failure is reported as the catalogue's).
   */
  async function namesFor(rows) {
    const missing = rows.filter((row) => state.books[row] === undefined);
    const parts = state.metadata?.catalogue_parts;
    if (missing.length === 0) return;
    if (!parts) return catalogueIn();
    try {
      await Promise.all([...new Set(missing.map((row) => Math.floor(row / parts.rows)))].map(cataloguePart));
    } catch (error) {
      console.warn("a part of the catalogue could not be had; waiting for the whole:", error);
      await catalogueIn();
    }
  }

  return { startCatalogue, startModel, catalogueIn, namesFor };
}
