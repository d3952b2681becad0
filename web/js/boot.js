// The first suggestion's two longest waits, started as soon as the page's code runs: metadata.json
// and the model's worker (TF.js and the model's first part, which the page asks for early: firstFiles). In main.js's bundle
// (sitebuild/bundle.py) this runs right after checked-fetch.js and model-client.js, the modules it
// needs, before the rest of the page is set up (main.js imports checked-fetch.js, then downloads.js).
// downloads.js takes these loads over once (takeEarly); a Retry starts new ones.
import { NewBuildError, fetchMetadata } from "./checked-fetch.js";
import { loadModel } from "./model-client.js";

/** The files index.html names (sitebuild/catalogue.py add_first_files: TF.js, the model's first part, the catalogue's first parts). */
function namedFirstFiles() {
  return document.querySelector('meta[name="shelf-first-files"]')?.content.split(" ").filter(Boolean) ?? [];
}

const served = () => Boolean(globalThis.navigator?.serviceWorker?.controller);

/**
 * The first files, asked for into the HTTP cache once the first screen is painted: the worker
 * itself asks for the model's only once it runs and has read model.json, two round trips later
 * on a phone, and the page for the parts once the picks are scored. None on a visit the service
 * worker serves: its cache answers without the network.
 */
function firstFiles() {
  return served() ? [] : namedFirstFiles();
}

/**
 * The catalogue's first parts (which name most first suggestions), for the page to read at once
 * on a visit the service worker serves (downloads.js): asked for only once the picks are scored,
 * a phone's round trip to the service worker came after the scores, 0.1-0.2 s at 4x. Elsewhere
 * none: the prefetch above has them in the HTTP cache.
 */
function firstParts() {
  return served() ? namedFirstFiles().filter((file) => file.startsWith("catalogue/")) : [];
}

/**
 * Ask for `files` as <link rel=prefetch>: the browser downloads them itself, into the HTTP
 * cache, with nothing for the page's main thread but the elements, 0.2-0.4 s sooner on a phone
 * than the model's worker could (it is not up yet). The worker asks for them too (model-host.js
 * "prefetch"): in Chromium its requests join these downloads in the HTTP cache (and raise their
 * priority); where the browser has no rel=prefetch (Safari), or holds it back until the page has
 * loaded (Firefox), they are the early downloads.
 */
function prefetchOnPage(files) {
  if (!document.createElement("link").relList?.supports?.("prefetch")) return;
  for (const file of files) {
    const link = document.createElement("link");
    link.rel = "prefetch";
    link.href = file;
    document.head.append(link);
  }
}

/**
 * Start both: {metadata, model, firstScreenDrawn(), onFraction(listener), parts}; null where
 * there is no page (node tests). `parts`: a promise of firstParts(), once the first screen is painted.
 */
function start() {
  if (typeof document === "undefined") return null;
  const build = document.querySelector('meta[name="shelf-build"]')?.content || null;
  const metadata = fetchMetadata(build).then((loaded) => {
    // The page's own build only: the worker is never given another build's model to load.
    if (build !== null && loaded.build !== build) throw new NewBuildError("metadata.json");
    return loaded;
  });
  metadata.catch(() => {}); // reported by the downloads that take it over
  let listener = () => {};
  let fraction = 0;
  const onFraction = (value) => {
    fraction = value;
    listener(value);
  };
  // After the worker's script and metadata.json are asked for (over HTTP/1.1's six connections
  // these would otherwise hold up both), and after the first screen (the popular books) is
  // painted: their half a megabyte must not hold it up (Lighthouse's LCP counts the page's requests
  // that end before it). main.js says when the page is set up, the popular books drawn in its
  // next task (downloads.js: firstScreenDrawn); two frames later they are painted.
  let firstScreenDrawn;
  let partsNow;
  const parts = new Promise((resolve) => (partsNow = resolve));
  const prefetchFiles = new Promise((resolve) => {
    firstScreenDrawn = () =>
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          const files = firstFiles();
          prefetchOnPage(files);
          resolve(files);
          partsNow(firstParts());
        }),
      );
  });
  const model = loadModel(metadata, { onFraction, prefetchFiles });
  model.catch(() => {}); // reported by downloads.js
  return {
    metadata,
    model,
    firstScreenDrawn,
    parts,
    onFraction(next) {
      listener = next;
      next(fraction);
    },
  };
}

let early = start();

/** The loads started at the head, once (null after: a Retry downloads again). */
export function takeEarly() {
  const taken = early;
  early = null;
  return taken;
}
