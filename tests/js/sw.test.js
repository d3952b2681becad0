// The service worker's install and activate (web/sw.js) run against stand-ins for the Cache
// Storage and the network: a build's offline copy is never deleted by a second install of that
// build, an install whose cache another worker deleted meanwhile fails instead of leaving an empty
// copy, and activating deletes the other builds' caches and fills in its own lost files.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { test } from "node:test";
import vm from "node:vm";

const SOURCE = readFileSync(new URL("../../web/sw.js", import.meta.url), "utf8");
const SCOPE = "https://shelf.example/";
const FILES = { "index.html": "<!doctype html>", "js/main.js": "main", "books.json": "[]" };
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** A Cache: request URLs (resolved against the scope) -> body texts. */
class FakeCache {
  constructor() {
    this.entries = new Map();
  }
  async put(path, response) {
    this.entries.set(new URL(path, SCOPE).href, await response.text());
  }
  async match(path) {
    const body = this.entries.get(new URL(path, SCOPE).href);
    return body === undefined ? undefined : new Response(body);
  }
  async keys() {
    return [...this.entries.keys()].map((url) => ({ url }));
  }
}

/** CacheStorage: open() makes a cache that is not there; a deleted cache's object lives on, unlisted. */
class FakeCaches {
  constructor() {
    this.byName = new Map();
  }
  async has(name) {
    return this.byName.has(name);
  }
  async open(name) {
    if (!this.byName.has(name)) this.byName.set(name, new FakeCache());
    return this.byName.get(name);
  }
  async delete(name) {
    return this.byName.delete(name);
  }
  async keys() {
    return [...this.byName.keys()];
  }
  filled(name, files) {
    const cache = new FakeCache();
    for (const [path, body] of Object.entries(files)) cache.entries.set(new URL(path, SCOPE).href, body);
    this.byName.set(name, cache);
    return cache;
  }
}

/**
 * sw.js of `build` (its precache manifest: FILES and their hashes) in a context of its own.
 * `network(path)`: the server's answer, a Response (each fetch is recorded in `fetched`).
 */
function serviceWorker(build, caches, network) {
  const manifest = JSON.stringify({ build, files: Object.fromEntries(Object.entries(FILES).map(([p, b]) => [p, sha256(b)])) });
  const source = SOURCE.replace('{ build: "unbuilt", files: {} }', manifest);
  assert.notEqual(source, SOURCE, "sw.js has its precache placeholder");
  const handlers = {};
  const fetched = [];
  const self = {
    registration: { scope: SCOPE },
    addEventListener: (type, handler) => (handlers[type] = handler),
    skipWaiting: () => {},
  };
  const fetch = async (url) => {
    const path = new URL(url).pathname.slice(1);
    fetched.push(path);
    return network(path);
  };
  const console = { warn: () => {} };
  vm.runInNewContext(source, { self, caches, fetch, crypto: globalThis.crypto, URL, Response, console });
  /** Dispatch an extendable event: resolves or rejects with what it waited for. */
  const dispatch = (type) => {
    let waited = Promise.resolve();
    handlers[type]({ waitUntil: (promise) => (waited = promise) });
    return waited;
  };
  return { install: () => dispatch("install"), activate: () => dispatch("activate"), fetched };
}

const served = (path) => new Response(FILES[path]);
const failing = () => new Response("", { status: 500 });

test("a first install puts every file, checked, into the build's cache", async () => {
  const caches = new FakeCaches();
  const worker = serviceWorker("b1", caches, served);
  await worker.install();
  assert.deepEqual(await caches.keys(), ["shelf-b1"]);
  assert.equal(caches.byName.get("shelf-b1").entries.size, 3);
  assert.deepEqual(worker.fetched.sort(), Object.keys(FILES).sort());
});

test("a first install that fails keeps no half cache", async () => {
  const caches = new FakeCaches();
  const worker = serviceWorker("b1", caches, (path) => (path === "books.json" ? failing() : served(path)));
  await assert.rejects(worker.install(), /books\.json: HTTP 500/);
  assert.deepEqual(await caches.keys(), []);
});

test("a build installed again over its own whole cache fetches nothing and keeps it", async () => {
  // A deploy rolled back to the build the page runs on while a newer one waited: the server is broken.
  const caches = new FakeCaches();
  caches.filled("shelf-a", FILES);
  const worker = serviceWorker("a", caches, failing);
  await worker.install();
  assert.deepEqual(worker.fetched, []);
  assert.equal(caches.byName.get("shelf-a").entries.size, 3);
});

test("a build installed again that fails keeps its own cache", async () => {
  const caches = new FakeCaches();
  const cache = caches.filled("shelf-a", { "index.html": FILES["index.html"], "js/main.js": FILES["js/main.js"] });
  const worker = serviceWorker("a", caches, failing);
  await assert.rejects(worker.install(), /books\.json: HTTP 500/);
  assert.deepEqual(worker.fetched, ["books.json"]); // only what was missing
  assert.equal(caches.byName.get("shelf-a"), cache); // the page's offline copy is still there
  assert.equal(cache.entries.size, 2);
});

test("an install whose cache another worker deletes meanwhile fails and keeps nothing", async () => {
  const caches = new FakeCaches();
  const worker = serviceWorker("c", caches, async (path) => {
    if (path === "books.json") await caches.delete("shelf-c"); // another build's worker activates
    return served(path);
  });
  await assert.rejects(worker.install(), /shelf-c was deleted while it was filled/);
  assert.deepEqual(await caches.keys(), []);
});

test("activating deletes the other builds' caches and fills in its own lost files", async () => {
  const caches = new FakeCaches();
  caches.filled("shelf-old", FILES);
  caches.filled("other-app", FILES); // not Shelf's: kept
  caches.filled("shelf-b", { "index.html": FILES["index.html"] });
  const worker = serviceWorker("b", caches, served);
  await worker.activate();
  assert.deepEqual((await caches.keys()).sort(), ["other-app", "shelf-b"]);
  assert.equal(caches.byName.get("shelf-b").entries.size, 3);
  assert.deepEqual(worker.fetched.sort(), ["books.json", "js/main.js"]);
});

test("activating with a lost file and no network still activates", async () => {
  const caches = new FakeCaches();
  caches.filled("shelf-b", { "index.html": FILES["index.html"] });
  const worker = serviceWorker("b", caches, () => Promise.reject(new TypeError("offline")));
  await worker.activate();
  assert.equal(caches.byName.get("shelf-b").entries.size, 1);
});
