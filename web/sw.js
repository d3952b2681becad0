// Service worker: after one visit the page works offline, and every visit shows one whole build.
//
// sitebuild/manifest.py fills in PRECACHE: the build's id and, for every file index.html loads
// and its modules fetch (site.json and metadata.json among them; content_similar.json,
// genres.json and goodreads.json when built), its SHA-256.
// Installing fetches each file (revalidated, never a stale HTTP-cache copy), checks its hash
// and keeps it in the cache "shelf-<build>"; a missing, truncated or other build's file fails
// the install, and the browser tries again on a later visit. Those files are then answered
// from that cache to the main page; everything else (the API, the covers) and every request of
// another page (the map, whose modules must all come from one place) go to the network.
// A new build changes this file, so the browser installs the new worker, which then WAITS: it
// never takes over a page that the old build loaded. The page says a new version is ready;
// when the visitor asks, it posts "skip-waiting", and reloads whole once the new worker is in
// control (web/js/offline.js). Activating deletes the old build's cache.
const PRECACHE = { build: "unbuilt", files: {} }; // sitebuild: precache manifest
const CACHE = `shelf-${PRECACHE.build}`;
const SCOPE = new URL(self.registration.scope);

async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The precached paths missing from `cache`. */
async function missingFrom(cache) {
  const held = new Set((await cache.keys()).map((request) => precachedPath(request.url)));
  return Object.keys(PRECACHE.files).filter((path) => !held.has(path));
}

/** `paths` fetched (revalidated, never a stale HTTP-cache copy), each checked against its hash, into `cache`. */
async function fill(cache, paths) {
  await Promise.all(
    paths.map(async (path) => {
      const response = await fetch(new URL(path, SCOPE), { cache: "no-cache" });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      if ((await sha256Hex(await response.clone().arrayBuffer())) !== PRECACHE.files[path]) {
        throw new Error(`${path} is not this build's (a rebuild since, or a broken download)`);
      }
      await cache.put(path, response);
    }),
  );
}

/**
 * This build's files into its cache, each checked against its hash. A cache of this build that is
 * already there (this build's worker installed again: a deploy rolled back to it while a newer
 * one waited) is filled in, never emptied: the page may be running on it, and its files were
 * checked when they were put. At the end every file must be in the cache of this name: another
 * build's worker activating meanwhile deletes every cache but its own, this one included (the
 * puts then went nowhere), and such an install fails (the browser tries again later) instead of
 * leaving a build with no offline copy.
 */
async function precache() {
  const existed = await caches.has(CACHE);
  try {
    const cache = await caches.open(CACHE);
    await fill(cache, await missingFrom(cache)); // every file, unless this build's cache was there
    const lost = !(await caches.has(CACHE)) || (await missingFrom(await caches.open(CACHE))).length > 0;
    if (lost) throw new Error(`${CACHE} was deleted while it was filled (another build's worker activated)`);
  } catch (error) {
    if (!existed) await caches.delete(CACHE); // never keep half a build; an earlier install's whole one stays
    throw error;
  }
}

self.addEventListener("install", (event) => event.waitUntil(precache()));

// Only on the visitor's word (the page's "Reload to use it"): the page reloads right after.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

// Activating deletes every other build's cache. Then any of this build's own files lost since its
// install (another worker, activating while this one waited, deleted its cache) are fetched again
// while the server still has this build: best effort, the page works from the network meanwhile.
self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const others = (await caches.keys()).filter((key) => key.startsWith("shelf-") && key !== CACHE);
      await Promise.all(others.map((key) => caches.delete(key)));
      const cache = await caches.open(CACHE);
      await fill(cache, await missingFrom(cache)).catch((error) => console.warn("offline copy incomplete:", error));
    })(),
  );
});

// The catalogue (2 MB) read from the cache at once reaches the page in one piece, and the page's
// main thread takes it in in one long task (a third of a second on a phone): it is handed over
// a PACE_BYTES piece per task instead, as the network would.
const PACED = new Set(["books.json"]);
const PACE_BYTES = 128 * 1024;

/** `response` with the same status and headers, its body given a PACE_BYTES piece per task. */
function paced(response) {
  const reader = response.body.getReader();
  const body = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      for (let at = 0; at < value.length; at += PACE_BYTES) {
        controller.enqueue(value.subarray(at, at + PACE_BYTES));
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    },
  });
  const { status, statusText, headers } = response;
  return new Response(body, { status, statusText, headers });
}

/** The precached path a URL names ("" and "/" are index.html), or null. */
function precachedPath(href) {
  const url = new URL(href);
  if (url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  const path = url.pathname.slice(SCOPE.pathname.length) || "index.html";
  return path in PRECACHE.files ? path : null;
}

/**
 * Whether a request comes from a page this cache serves (index.html), or is its navigation, or
 * comes from that page's model worker (model-worker.js: TF.js and the model are its requests).
 */
async function fromCachedPage(event) {
  if (event.request.mode === "navigate") return true;
  const client = event.clientId ? await self.clients.get(event.clientId) : null;
  const path = client ? precachedPath(client.url) : null;
  return path === "index.html" || (client?.type === "worker" && path === "model-worker.js");
}

self.addEventListener("fetch", (event) => {
  const path = event.request.method === "GET" ? precachedPath(event.request.url) : null;
  if (path === null) return; // the network, as without a service worker
  event.respondWith(
    (async () => {
      // The map page loads from the network: its shared modules must not come from here.
      if (!(await fromCachedPage(event))) return fetch(event.request);
      const hit = await caches.open(CACHE).then((cache) => cache.match(path));
      if (hit && PACED.has(path)) return paced(hit);
      return hit ?? fetch(event.request);
    })(),
  );
});
