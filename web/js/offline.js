// The service worker (sw.js) from the page's side: an offline copy of this build, a newer
// build's worker waiting beside it, and the whole-page reload that lets it in. Browser edge
// only; the entry module says what the page shows (onNewVersion, onNewBuild).

let reloading = false; // the visitor asked for the new version: reload once the new worker controls the page

/**
 * Reload the whole page, so that every file comes from one build: when a new service worker
 * waits (it never takes over a page by itself), let it take over first, then reload.
 */
export async function reloadForUpdate() {
  const registration = await navigator.serviceWorker?.getRegistration().catch(() => null);
  if (registration?.waiting && navigator.serviceWorker.controller) {
    reloading = true;
    registration.waiting.postMessage("skip-waiting"); // controllerchange reloads
  } else {
    location.reload();
  }
}

/**
 * From main.js's start (not only once the page is ready): a newer build's worker that takes
 * this page over. After the visitor's "Reload to use it" (reloadForUpdate) the page reloads
 * whole. Otherwise another tab of the site let the new version in: onNewBuild(), whether this
 * page is ready or still loading (its files still to come are the new build's now, or gone
 * from the server).
 */
export function watchForNewBuild(onNewBuild) {
  navigator.serviceWorker?.addEventListener("controllerchange", () => {
    if (reloading) location.reload();
    else onNewBuild();
  }); // (no navigator.serviceWorker: plain http on another host)
}

/**
 * Once the page works: sw.js keeps this build for offline visits (where the browser allows).
 * A newer build's worker installs beside it and waits: onNewVersion() (the page says a new
 * version is ready and reloads whole when the visitor asks: reloadForUpdate), never mixing the
 * two builds.
 */
export function offerOffline({ onNewVersion }) {
  if (!("serviceWorker" in navigator)) return; // plain http on another host: no service workers
  navigator.serviceWorker
    .register("sw.js")
    .then((registration) => {
      const watch = (worker, isUpdate) =>
        worker?.addEventListener("statechange", () => {
          if (worker.state === "installed" && isUpdate) onNewVersion();
        });
      if (registration.waiting && registration.active) onNewVersion();
      watch(registration.installing, registration.active !== null);
      registration.addEventListener("updatefound", () => watch(registration.installing, registration.active !== null));
    })
    .catch((error) => console.warn("no offline copy:", error));
}
