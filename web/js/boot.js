// The first suggestion's two longest waits, started as soon as the page's code runs: metadata.json
// and the model's worker (TF.js and the model's first part). In main.js's bundle
// (sitebuild/bundle.py) this runs right after checked-fetch.js and model-client.js, the modules it
// needs, before the rest of the page is set up (main.js imports checked-fetch.js, then downloads.js).
// downloads.js takes these loads over once (takeEarly); a Retry starts new ones.
import { NewBuildError, fetchMetadata } from "./checked-fetch.js";
import { loadModel } from "./model-client.js";

/**
 * Ask for TF.js, the model's first part and the catalogue's first parts now (index.html names
 * them: sitebuild/catalogue.py add_first_files), into the HTTP cache, where the model's worker finds them:
 * it asks for them only once it runs and has read model.json, two round trips later on a phone
 * (and the page for the parts once the picks are scored). Not on a visit the service worker
 * serves: its cache answers at once.
 */
function preloadFirstFiles() {
  const names = document.querySelector('meta[name="shelf-first-files"]')?.content.split(" ").filter(Boolean) ?? [];
  if (globalThis.navigator?.serviceWorker?.controller) return;
  for (const name of names) {
    const link = document.createElement("link");
    link.rel = "preload";
    link.as = name.endsWith(".js") ? "script" : "fetch";
    link.crossOrigin = "anonymous"; // as the worker's own requests are made (same-origin credentials)
    link.href = name;
    document.head.append(link);
  }
}

/** Start both: {metadata, model, onFraction(listener)}; null where there is no page (node tests). */
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
  const model = loadModel(metadata, { onFraction });
  model.catch(() => {}); // reported by downloads.js
  // After the worker's script and metadata.json are asked for (over HTTP/1.1's six connections
  // the preloads would otherwise hold up both), and after the first screen (the popular books,
  // drawn in main.js's next task) is painted: their half a megabyte must not hold it up
  // (Lighthouse's LCP counts every request asked for before it).
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(preloadFirstFiles, 0)));
  return {
    metadata,
    model,
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
