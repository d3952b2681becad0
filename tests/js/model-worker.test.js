// The page <-> model worker conversation (web/js/model-host.js, web/js/model-client.js) with
// stand-ins for TF.js: requests wait for the model and are answered in order, arrays are
// transferred, and a load failure comes back to the page as the LoadError / NewBuildError it was.
import assert from "node:assert/strict";
import { test } from "node:test";

import { LoadError, NewBuildError } from "../../web/js/checked-fetch.js";
import { errorFromMessage, loadModel, scorePicks, similarityMatrix } from "../../web/js/model-client.js";
import { createModelHost, errorMessage, needsLater } from "../../web/js/model-host.js";

const METADATA = { book_ids: [10, 20, 30], num_books: 3 };

/** A deferred: {promise, resolve, reject}. */
function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * Stand-ins for loader.js's loadModel and recommend.js: the "model" scores row r as r + the
 * number of picks; `build()` gives the model (or throws) when the test says.
 */
function standIns(build = async () => ({ model: "the model" })) {
  const calls = [];
  return {
    calls,
    loadModel: async (metadata, { modelUrl, onFraction }) => {
      calls.push(["loadModel", modelUrl, await metadata]);
      onFraction(0.5);
      return build();
    },
    similarityMatrix: (model, metadata) => ({
      matrix: new Float32Array(metadata.num_books),
      n: metadata.num_books,
      d: 1,
      neighbors: { rows: new Int32Array(3), weights: new Float32Array(3), m: 1 },
    }),
    rowIndex: (metadata) => new Map(metadata.book_ids.map((id, row) => [id, row])),
    scorePicks: async (model, picks, metadata, rowOf) => {
      const rows = Object.keys(picks).map((id) => rowOf.get(Number(id)));
      const scores = Float32Array.from(metadata.book_ids, (_, row) => row + rows.length);
      return { scores, stars: scores, pickedRows: rows, reasonRows: rows };
    },
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

test("the host answers score requests made before the model is in, in order, with transferred copies", async () => {
  const built = deferred();
  const run = standIns(() => built.promise);
  const sent = [];
  const handle = createModelHost((message, transfer = []) => sent.push({ message, transfer }), run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "score", id: 1, picks: { 10: 5 } });
  handle({ type: "score", id: 2, picks: { 10: 5, 30: 4 } });
  handle({ type: "metadata", metadata: METADATA });
  await settle();
  assert.deepEqual(run.calls, [["loadModel", "model/model.json", METADATA]]);
  // "loaded" at once: these stand-ins have no code of their own to wait for (no run.codeLoaded)
  assert.deepEqual(sent.map((s) => s.message.type), ["loaded", "progress"]); // nothing answered before the model
  assert.equal(sent[1].message.fraction, 0.5);

  built.resolve({ model: "the model" });
  await settle();
  const types = sent.map((s) => s.message.type);
  assert.deepEqual(types, ["loaded", "progress", "ready", "scored", "scored"]);
  const [, , ready, first, second] = sent;
  assert.equal(ready.message.similarity.n, 3);
  assert.equal(ready.transfer.length, 3); // the matrix and the neighbor table's two arrays
  assert.ok(ready.transfer.includes(ready.message.similarity.matrix.buffer));
  assert.equal(first.message.id, 1);
  assert.deepEqual(Array.from(first.message.scores), [1, 2, 3]);
  assert.deepEqual(first.message.pickedRows, [0]);
  assert.equal(second.message.id, 2);
  assert.deepEqual(Array.from(second.message.scores), [2, 3, 4]);
  assert.deepEqual(second.message.reasonRows, [0, 2]);
  // Copies: the transferred buffers are the answer's own, never TF.js' (two per answer).
  assert.deepEqual(second.transfer, [second.message.scores.buffer, second.message.stars.buffer]);
  assert.notEqual(second.message.scores.buffer, second.message.stars.buffer);
});

test("a load failure is posted once with its name, file and message, and the page gets that error back", async () => {
  const run = standIns(async () => {
    throw new NewBuildError("model/model.json");
  });
  const sent = [];
  const handle = createModelHost((message) => sent.push(message), run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "metadata", metadata: METADATA });
  await settle();
  const failed = sent.filter((m) => m.type === "failed");
  assert.equal(failed.length, 1);
  assert.equal(failed[0].id, null);
  assert.equal(failed[0].error.name, "NewBuildError");
  assert.equal(failed[0].error.file, "model/model.json");

  const error = errorFromMessage(failed[0].error);
  assert.ok(error instanceof NewBuildError && error instanceof LoadError);
  assert.equal(error.message, new NewBuildError("model/model.json").message);
  const shard = new LoadError("model/group1-shard1of1.0123456789abcdef.bin", "HTTP 404 Not Found");
  const back = errorFromMessage(errorMessage(shard));
  assert.ok(back instanceof LoadError && !(back instanceof NewBuildError));
  assert.equal(back.message, shard.message);
  assert.equal(back.file, shard.file);
  const other = errorFromMessage(errorMessage(new TypeError("x is undefined")));
  assert.ok(!(other instanceof LoadError));
  assert.equal(other.message, "x is undefined");
});

test("model-client: loadModel and scorePicks through a worker, and a worker's failure rejects loadModel", async (t) => {
  // A stand-in Worker running model-host.js in this process, as the browser's would in its own.
  let failNext = false;
  class FakeWorker {
    constructor(url, options) {
      assert.match(String(url), /\/model-worker\.js$/);
      assert.deepEqual(options, { type: "module" });
      this.listeners = { message: [], error: [] };
      const fail = failNext;
      const built = async () => {
        if (fail) throw new LoadError("model/model.json", "HTTP 503");
        return { model: "the model" };
      };
      this.handle = createModelHost(
        (message) => setTimeout(() => this.listeners.message.forEach((listen) => listen({ data: message }))),
        standIns(built),
      );
      FakeWorker.started += 1;
    }
    addEventListener(type, listen) {
      this.listeners[type].push(listen);
    }
    postMessage(message) {
      setTimeout(() => this.handle(structuredClone(message)));
    }
    terminate() {
      FakeWorker.terminated += 1;
    }
  }
  FakeWorker.started = 0;
  FakeWorker.terminated = 0;
  globalThis.Worker = FakeWorker;
  t.after(() => delete globalThis.Worker);

  const fractions = [];
  const { model } = await loadModel(Promise.resolve(METADATA), { onFraction: (f) => fractions.push(f) });
  assert.deepEqual(fractions, [0.5]);
  assert.equal(similarityMatrix(model).n, 3);
  const [a, b] = await Promise.all([scorePicks(model, { 20: 5 }), scorePicks(model, { 20: 5, 30: 1 })]);
  assert.deepEqual(Array.from(a.scores), [1, 2, 3]);
  assert.deepEqual(a.pickedRows, [1]);
  assert.deepEqual(Array.from(b.scores), [2, 3, 4]);

  failNext = true;
  await assert.rejects(loadModel(METADATA), (error) => error instanceof LoadError && error.message === "model/model.json: HTTP 503");
  assert.equal(FakeWorker.started, 2);
  assert.equal(FakeWorker.terminated, 1); // the failed one; the first still answers
  assert.deepEqual(Array.from((await scorePicks(model, {})).scores), [0, 1, 2]);
});

test("needsLater: picks whose rows are beyond the first ones (unknown ids need nothing)", () => {
  const rowOf = new Map([[10, 0], [20, 1], [30, 2]]);
  assert.equal(needsLater({ 10: 5, 20: 4 }, rowOf, 2), false);
  assert.equal(needsLater({ 10: 5, 30: 4 }, rowOf, 2), true);
  assert.equal(needsLater({ 99: 5 }, rowOf, 2), false);
  assert.equal(needsLater({ 30: 5 }, rowOf, null), false); // the whole model is in
});

/** A host whose model comes in two parts: rows 0-1 first; `later()` gives the whole one (or throws). */
function twoParts(later) {
  const used = [];
  const run = {
    ...standIns(),
    loadModel: async () => ({ model: { name: "first", dispose: () => used.push("disposed first") }, firstRows: 2, loadLater: later }),
    similarityMatrix: (model) => ({ matrix: new Float32Array(3), n: 3, d: 1, neighbors: { rows: new Int32Array(3), weights: new Float32Array(3), m: 1, of: model.name } }),
    scorePicks: async (model, picks) => {
      used.push(model.name);
      const scores = new Float32Array(3);
      return { scores, stars: scores, pickedRows: [], reasonRows: [] };
    },
  };
  const sent = [];
  const handle = createModelHost((message) => sent.push(message), run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "metadata", metadata: METADATA });
  return { handle, sent, used };
}

test("the host says its code is in ('loaded') once run.codeLoaded resolves, never if it fails", async () => {
  for (const outcome of ["resolve", "reject"]) {
    const code = deferred();
    const sent = [];
    createModelHost((message) => sent.push(message.type), { ...standIns(async () => ({ model: "m" })), codeLoaded: code.promise });
    await settle();
    assert.deepEqual(sent, []);
    code[outcome](new Error("TF.js could not be downloaded"));
    await settle();
    assert.deepEqual(sent, outcome === "resolve" ? ["loaded"] : []);
  }
});

test("'loaded' comes before 'ready' even when the model is built first; code that never loads fails the load", async () => {
  for (const outcome of ["resolve", "reject"]) {
    const code = deferred();
    const sent = [];
    const handle = createModelHost((message) => sent.push(message), { ...standIns(), codeLoaded: code.promise });
    handle({ type: "load", modelUrl: "model/model.json" });
    handle({ type: "metadata", metadata: METADATA });
    await settle();
    assert.deepEqual(sent.map((m) => m.type), ["progress"]); // built, and waiting for its code
    code[outcome](new TypeError("Failed to fetch dynamically imported module: js/layers.js"));
    await settle();
    if (outcome === "resolve") {
      assert.deepEqual(sent.map((m) => m.type), ["progress", "loaded", "ready"]);
    } else {
      assert.deepEqual(sent.map((m) => m.type), ["progress", "failed"]);
      assert.equal(sent[1].id, null);
      assert.equal(sent[1].error.file, "model-worker.js");
    }
  }
});

test("model-client: a worker whose 'loaded' comes after its 'ready' still gives the page its model", { timeout: 5000 }, async (t) => {
  // The page once handled "loaded" in the queue behind "ready", which waits for it: a page
  // that never left "Loading the model" (a worker's two imports of one module resolve in either order).
  class LateLoadedWorker {
    constructor(url, options) {
      assert.equal(options.type, "module");
      this.listeners = { message: [], error: [] };
    }
    addEventListener(type, listen) {
      this.listeners[type].push(listen);
    }
    postMessage(message) {
      if (message.type !== "load") return;
      const similarity = { matrix: new Float32Array(3), n: 3, d: 1, neighbors: { rows: new Int32Array(3), weights: new Float32Array(3), m: 1 } };
      const replies = [{ type: "progress", fraction: 1 }, { type: "ready", similarity, firstRows: null }, { type: "loaded" }];
      for (const data of replies) setTimeout(() => this.listeners.message.forEach((listen) => listen({ data })));
    }
    terminate() {}
  }
  globalThis.Worker = LateLoadedWorker;
  t.after(() => delete globalThis.Worker);
  const { model } = await loadModel(Promise.resolve(METADATA)); // no site_files: nothing to check
  assert.equal(similarityMatrix(model).n, 3);
});

test("a score whose picks need the later part waits for it, and the page hears the unasked 'whole' (id null) first", async () => {
  let laters = 0;
  const { handle, sent, used } = twoParts(async () => {
    laters += 1;
    return { model: { name: "whole" } };
  });
  handle({ type: "score", id: 1, picks: { 10: 5, 20: 4 } }); // rows 0 and 1: the first part will do
  await settle();
  assert.equal(laters, 0);
  assert.equal(sent.find((m) => m.type === "ready").firstRows, 2);
  handle({ type: "score", id: 2, picks: { 30: 5 } }); // row 2: only in the later part
  handle({ type: "whole", id: 3 });
  await settle();
  await settle();
  assert.equal(laters, 1); // fetched once for both
  const types = sent.map((m) => `${m.type}${m.id ?? ""}`);
  assert.deepEqual(types, ["loaded", "ready", "scored1", "whole", "whole3", "scored2"]);
  assert.equal(sent.find((m) => m.type === "whole" && m.id === null).similarity.neighbors.of, "whole");
  assert.deepEqual(used, ["first", "whole", "disposed first"]); // disposed once the requests under way are done
});

test("a later part that fails fails the request that needed it, and the next one fetches it again", async () => {
  let laters = 0;
  const { handle, sent, used } = twoParts(async () => {
    laters += 1;
    if (laters === 1) throw new LoadError("model/group2-shard2of2.0123456789abcdef.bin", "HTTP 404");
    return { model: { name: "whole" } };
  });
  handle({ type: "score", id: 1, picks: { 30: 5 } });
  await settle();
  await settle();
  const failed = sent.find((m) => m.type === "failed");
  assert.equal(failed.id, 1);
  assert.equal(failed.error.file, "model/group2-shard2of2.0123456789abcdef.bin");
  handle({ type: "score", id: 2, picks: { 10: 5 } }); // the first part still answers
  handle({ type: "score", id: 3, picks: { 30: 5 } });
  await settle();
  await settle();
  assert.equal(laters, 2);
  assert.deepEqual(sent.slice(-3).map((m) => `${m.type}${m.id ?? ""}`), ["scored2", "whole", "scored3"]);
  assert.deepEqual(used, ["first", "whole", "disposed first"]); // disposed once the requests under way are done
});

test("model-client: the worker's own files are checked against the page's build before its model is used", async (t) => {
  class FakeWorker {
    constructor(url, options) {
      assert.equal(options.type, "module");
      this.listeners = { message: [], error: [] };
      this.handle = createModelHost(
        (message) => setTimeout(() => this.listeners.message.forEach((listen) => listen({ data: message }))),
        standIns(),
      );
    }
    addEventListener(type, listen) {
      this.listeners[type].push(listen);
    }
    postMessage(message) {
      setTimeout(() => this.handle(structuredClone(message)));
    }
    terminate() {
      FakeWorker.terminated += 1;
    }
  }
  FakeWorker.terminated = 0;
  const sha256 = async (text) =>
    Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))), (b) =>
      b.toString(16).padStart(2, "0"),
    ).join("");
  const oldHost = "// build A's model-host.js\n";
  const site_files = {
    "books.json": { sha256: "0".repeat(64), bytes: 2 }, // not the worker's: not fetched
    "js/model-host.js": { sha256: await sha256(oldHost), bytes: oldHost.length },
  };
  const metadata = { ...METADATA, build: "a", site_files };
  // What the server has now: build A's files, or build B's (a rebuild after the page loaded).
  let server = { build: "a", host: oldHost };
  const fetched = [];
  globalThis.Worker = FakeWorker;
  globalThis.fetch = async (url) => {
    fetched.push(String(url).replace(/^.*\/web\//, ""));
    if (String(url).endsWith("/web/js/model-host.js")) return new Response(server.host);
    if (url === "site.json") return new Response(JSON.stringify({ build: server.build, site_files }));
    return new Response("not found", { status: 404 });
  };
  t.after(() => {
    delete globalThis.Worker;
    delete globalThis.fetch;
  });

  const { model } = await loadModel(Promise.resolve(metadata));
  assert.equal(similarityMatrix(model).n, 3);
  assert.deepEqual(fetched, ["js/model-host.js"]);

  server = { build: "b", host: "// build B's model-host.js\n" };
  await assert.rejects(loadModel(Promise.resolve(metadata)), (error) => error instanceof NewBuildError && error.file === "js/model-host.js");
  assert.equal(FakeWorker.terminated, 1);

  server = { build: "a", host: "// edited on the server\n" }; // no rebuild: changed, not newer
  await assert.rejects(loadModel(Promise.resolve(metadata)), (error) => error.name === "ChangedFileError" && !(error instanceof NewBuildError));
});

test("the host posts the first part's progress only when its whole percent changes", async () => {
  const run = standIns();
  run.loadModel = async (metadata, { onFraction }) => {
    for (const fraction of [0, 0.001, 0.009, 0.01, 0.015, 0.5, 0.504, 0.999, 1, 1]) onFraction(fraction);
    return { model: "the model" };
  };
  const sent = [];
  const handle = createModelHost((message) => sent.push(message), run);
  handle({ type: "load", modelUrl: "model/model.json" });
  handle({ type: "metadata", metadata: METADATA });
  await settle();
  const fractions = sent.filter((message) => message.type === "progress").map((message) => message.fraction);
  assert.deepEqual(fractions, [0, 0.01, 0.5, 0.999, 1]);
});

test("model-client: the unasked 'whole' (id null) updates the page's similarity; model.whole() resolves after it", async (t) => {
  class FakeWorker {
    constructor(url, options) {
      assert.equal(options.type, "module");
      this.listeners = { message: [], error: [] };
      const run = {
        ...standIns(),
        loadModel: async () => ({ model: { name: "first" }, firstRows: 2, loadLater: async () => ({ model: { name: "whole" } }) }),
        similarityMatrix: (model) => ({ matrix: new Float32Array(3), n: 3, d: 1, neighbors: { rows: new Int32Array(3), weights: new Float32Array(3), m: 1, of: model.name } }),
      };
      this.handle = createModelHost((message) => setTimeout(() => this.listeners.message.forEach((listen) => listen({ data: message }))), run);
    }
    addEventListener(type, listen) {
      this.listeners[type].push(listen);
    }
    postMessage(message) {
      setTimeout(() => this.handle(structuredClone(message)));
    }
    terminate() {}
  }
  globalThis.Worker = FakeWorker;
  t.after(() => delete globalThis.Worker);

  const { model } = await loadModel(Promise.resolve(METADATA));
  assert.equal(model.firstRows, 2);
  assert.equal(similarityMatrix(model).neighbors.of, "first");
  await model.whole();
  assert.equal(model.firstRows, null);
  assert.equal(similarityMatrix(model).neighbors.of, "whole");
  await model.whole(); // all in: nothing more is asked
});
