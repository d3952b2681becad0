// Service worker: after one visit the page works offline, and every visit shows one whole build.
//
// scripts/build_site.py fills in PRECACHE: the build's id and, for every file index.html loads
// (plus content_similar.json, genres.json and goodreads.json when built), its SHA-256.
// Installing fetches each file (revalidated, never a stale HTTP-cache copy), checks its hash
// and keeps it in the cache "shelf-<build>"; a missing, truncated or other build's file fails
// the install, and the browser tries again on a later visit. Those files are then answered from that cache, everything else (the API, the map, the
// covers) from the network. A new build changes this file, so the browser installs the new
// worker, which takes over once its cache is complete and deletes the old caches.
const PRECACHE = { build: "unbuilt", files: {} }; // build_site: precache manifest
const CACHE = `shelf-${PRECACHE.build}`;
const SCOPE = new URL(self.registration.scope);

async function sha256Hex(buffer) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", buffer));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function precache() {
  const cache = await caches.open(CACHE);
  await Promise.all(
    Object.entries(PRECACHE.files).map(async ([path, expected]) => {
      const response = await fetch(new URL(path, SCOPE), { cache: "no-cache" });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      if ((await sha256Hex(await response.clone().arrayBuffer())) !== expected) {
        throw new Error(`${path} is not this build's (a rebuild since, or a broken download)`);
      }
      await cache.put(path, response);
    }),
  );
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    precache()
      .then(() => self.skipWaiting())
      .catch(async (error) => {
        await caches.delete(CACHE); // never keep half a build
        throw error;
      }),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) => Promise.all(keys.filter((key) => key.startsWith("shelf-") && key !== CACHE).map((key) => caches.delete(key)))),
  );
});

/** The precached path a request asks for ("" and "/" are index.html), or null. */
function precachedPath(request) {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== SCOPE.origin || !url.pathname.startsWith(SCOPE.pathname)) return null;
  const path = url.pathname.slice(SCOPE.pathname.length) || "index.html";
  return path in PRECACHE.files ? path : null;
}

self.addEventListener("fetch", (event) => {
  const path = precachedPath(event.request);
  if (path === null) return; // the network, as without a service worker
  event.respondWith(
    caches
      .open(CACHE)
      .then((cache) => cache.match(path))
      .then((hit) => hit ?? fetch(event.request)),
  );
});
