// The model worker's head start on a visit (web/js/model-host.js, web/js/model-client.js):
// picks made while the model loads are scored as soon as it is built ("ahead"), and a worker
// named after the page's build starts loading without waiting for the page (startFromName).
import assert from "node:assert/strict";
import { test } from "node:test";

import { loadModel, scorePicks } from "../../web/js/model-client.js";
import { createModelHost, picksKey, startFromName } from "../../web/js/model-host.js";
import { METADATA, deferred, installFakeWorker, settle, standIns } from "./model-stand-ins.mjs";

/** standIns whose scorePicks records each run's picks (their book ids, joined), failing the first `failing` runs. */
function countedRuns(build, failing = 0) {
  const run = standIns(build);
  const runs = [];
  const scorePicks = run.scorePicks;
  run.scorePicks = async (model, picks, ...rest) => {
    runs.push(Object.keys(picks).join());
    if (runs.length <= failing) throw new Error("the later part could not be had");
    return scorePicks(model, picks, ...rest);
  };
  return { run, runs };
}

/** A host with `run`: {handle, sent (the messages' types, a score's with its id), answers (by id)}. */
function host(run) {
  const sent = [];
  const answers = new Map();
  const handle = createModelHost((message) => {
    sent.push(`${message.type}${message.id ?? ""}`);
    if (message.id !== undefined) answers.set(message.id, message);
  }, run);
  return { handle, sent, answers };
}

test("picksKey: one key for the same picks in any order, another for other stars", () => {
  assert.equal(picksKey({ 30: 4, 10: 5 }), picksKey({ 10: 5, 30: 4 }));
  assert.notEqual(picksKey({ 10: 5, 30: 4 }), picksKey({ 10: 5, 30: 3 }));
  assert.notEqual(picksKey({ 10: 5 }), picksKey({ 10: 5, 30: 4 }));
});

test("picks sent ahead run once the model is built; the score of the same picks is answered from that run", async () => {
  const built = deferred();
  const { run, runs } = countedRuns(() => built.promise);
  const { handle, sent, answers } = host(run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "ahead", picks: { 30: 4, 10: 5 } });
  handle({ type: "metadata", metadata: METADATA });
  await settle();
  assert.deepEqual(runs, []); // nothing runs before the model is in
  built.resolve({ model: "the model" });
  await settle();
  assert.deepEqual(runs, ["10,30"]); // run at once, before the page asked
  assert.deepEqual(sent, ["loaded", "progress", "ready"]);
  handle({ type: "score", id: 1, picks: { 10: 5, 30: 4 } });
  await settle();
  assert.deepEqual(runs, ["10,30"]); // not run again
  assert.deepEqual(Array.from(answers.get(1).scores), [2, 3, 4]);
  handle({ type: "score", id: 2, picks: { 10: 5, 30: 4 } }); // once only: a later score runs anew
  await settle();
  assert.deepEqual(runs, ["10,30", "10,30"]);
  assert.deepEqual(sent.slice(-2), ["scored1", "scored2"]);
});

test("only the latest picks sent ahead run; a score of other picks runs anew", async () => {
  const built = deferred();
  const { run, runs } = countedRuns(() => built.promise);
  const { handle, answers } = host(run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "metadata", metadata: METADATA });
  handle({ type: "ahead", picks: { 10: 5 } });
  handle({ type: "ahead", picks: { 10: 5, 20: 3 } }); // the visitor picked again before the model came
  built.resolve({ model: "the model" });
  await settle();
  assert.deepEqual(runs, ["10,20"]);
  handle({ type: "score", id: 1, picks: { 10: 5 } });
  await settle();
  assert.deepEqual(runs, ["10,20", "10"]);
  assert.deepEqual(Array.from(answers.get(1).scores), [1, 2, 3]);
});

test("a run ahead that failed is tried again by the score of its picks", async () => {
  const { run, runs } = countedRuns(undefined, 1);
  const { handle, answers } = host(run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "metadata", metadata: METADATA });
  handle({ type: "ahead", picks: { 10: 5 } });
  await settle();
  handle({ type: "score", id: 1, picks: { 10: 5 } });
  await settle();
  assert.deepEqual(runs, ["10", "10"]);
  assert.equal(answers.get(1).type, "scored");
});

test("startFromName: a worker named after the page's build loads at once, with its own metadata.json of that build", async () => {
  const got = [];
  const handle = (message) => got.push(message);
  const fetched = [];
  const fetchMetadata = async (build) => (fetched.push(build), { ...METADATA, build });
  startFromName(handle, JSON.stringify({ build: "b1", modelUrl: "model/model.json" }), fetchMetadata);
  await settle();
  assert.deepEqual(fetched, ["b1"]);
  assert.deepEqual(got, [
    { type: "load", modelUrl: "model/model.json" },
    { type: "metadata", metadata: { ...METADATA, build: "b1" } },
  ]);

  // Another build's metadata.json, or one that failed, is left to the page's own message.
  got.length = 0;
  startFromName(handle, JSON.stringify({ build: "b1", modelUrl: "m.json" }), async () => ({ ...METADATA, build: "b2" }));
  startFromName(handle, JSON.stringify({ build: "b1", modelUrl: "m.json" }), async () => {
    throw new Error("offline");
  });
  await settle();
  assert.deepEqual(got, [
    { type: "load", modelUrl: "m.json" },
    { type: "load", modelUrl: "m.json" },
  ]);

  // No name (a first visit), or one that is not the page's: nothing starts.
  got.length = 0;
  for (const name of ["", "not json", "null", "{}", '{"build": 1, "modelUrl": "m.json"}', '{"build": "b1"}']) {
    startFromName(handle, name, fetchMetadata);
  }
  await settle();
  assert.deepEqual(got, []);
});

test("model-client: a worker named after the build, and picks sent ahead before it is open, are scored once", async (t) => {
  const FakeWorker = installFakeWorker(t);
  const { run, runs } = countedRuns();
  FakeWorker.run = run;
  const loading = loadModel(Promise.resolve(METADATA), { build: "b1" });
  loading.scoreAhead({ 20: 5 }); // picked before the worker's port is open
  const { model } = await loading;
  assert.deepEqual(FakeWorker.options, [{ type: "module", name: '{"build":"b1","modelUrl":"model/model.json"}' }]);
  assert.deepEqual(FakeWorker.posted.slice(0, 2), ["load", "ahead"]);
  const { scores } = await scorePicks(model, { 20: 5 });
  assert.deepEqual(Array.from(scores), [1, 2, 3]);
  assert.deepEqual(runs, ["20"]);
});

/**
 * A visit the service worker serves, for the test `t`: navigator.serviceWorker with a controller
 * (`takeOver()` fires its controllerchange) and fetch answering the worker's one file,
 * model-worker.js, with `bytes()` (recorded in `fetched`), site.json with build "b1".
 */
function servedVisit(t, bytes) {
  const listeners = [];
  const serviceWorker = { controller: {}, addEventListener: (type, listen) => listeners.push(listen) };
  const saved = Object.getOwnPropertyDescriptor(globalThis, "navigator");
  Object.defineProperty(globalThis, "navigator", { value: { serviceWorker }, configurable: true });
  const fetched = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (url) => {
    const name = String(url).split("/").pop();
    fetched.push(name);
    return new Response(name === "site.json" ? JSON.stringify({ build: "b1" }) : bytes());
  };
  t.after(() => {
    globalThis.fetch = realFetch;
    if (saved) Object.defineProperty(globalThis, "navigator", saved);
    else delete globalThis.navigator;
  });
  return { fetched, takeOver: () => listeners.forEach((listen) => listen()) };
}

const WORKER_BYTES = new TextEncoder().encode("the worker");
const SERVED_METADATA = {
  ...METADATA,
  build: "b1",
  site_files: {
    "model-worker.js": {
      bytes: WORKER_BYTES.length,
      sha256: Buffer.from(await crypto.subtle.digest("SHA-256", WORKER_BYTES)).toString("hex"),
    },
  },
};

test("model-client: on a served visit the worker's files are checked at once, not after 'loaded'", async (t) => {
  const visit = servedVisit(t, () => WORKER_BYTES);
  const FakeWorker = installFakeWorker(t);
  const code = deferred();
  FakeWorker.run = { ...standIns(), codeLoaded: code.promise };
  const loading = loadModel(Promise.resolve(SERVED_METADATA));
  await settle();
  assert.deepEqual(visit.fetched, ["model-worker.js"]); // before the worker's code is all in
  code.resolve();
  await loading;
  assert.deepEqual(visit.fetched, ["model-worker.js"]); // not again
});

test("model-client: a page taken over by another build's service worker before 'loaded' checks again, and fails", async (t) => {
  let bytes = WORKER_BYTES;
  const visit = servedVisit(t, () => bytes);
  const FakeWorker = installFakeWorker(t);
  const code = deferred();
  FakeWorker.run = { ...standIns(), codeLoaded: code.promise };
  const loading = loadModel(Promise.resolve(SERVED_METADATA));
  await settle();
  visit.takeOver(); // the worker's files may now come from the new build's cache
  bytes = new TextEncoder().encode("another build's worker");
  code.resolve();
  await assert.rejects(loading, (error) => error.name === "ChangedFileError" || error.name === "NewBuildError");
  assert.deepEqual(visit.fetched.filter((name) => name === "model-worker.js").length, 2);
});
