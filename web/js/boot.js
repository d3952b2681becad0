// The first suggestion's two longest waits, started from the page's head: metadata.json and the
// model's worker (TF.js and the model's first part). index.html runs this module before main.js,
// whose 20-odd modules take several round trips more on a phone; its own imports are few and
// preloaded. downloads.js takes these loads over once (takeEarly); a Retry starts new ones.
import { NewBuildError, fetchMetadata } from "./loader.js";
import { loadModel } from "./model-client.js";

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
