// Stand-ins for TF.js's side of the model worker (loader.js's loadModel, recommend.js), shared by
// the tests of the page <-> worker conversation.
import assert from "node:assert/strict";

import { LoadError } from "../../web/js/checked-fetch.js";
import { createModelHost } from "../../web/js/model-host.js";

export const METADATA = { book_ids: [10, 20, 30], num_books: 3 };

/** A deferred: {promise, resolve, reject}. */
export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/**
 * Stand-ins for loader.js's loadModel and recommend.js: the "model" scores row r as r + the
 * number of picks; `build()` gives the model (or throws) when the test says.
 */
export function standIns(build = async () => ({ model: "the model" })) {
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

export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * A stand-in Worker running model-host.js in this process, as the browser's would in its own,
 * installed as globalThis.Worker for the test `t`. The class records each worker's `options`,
 * the page's messages (`posted`, their types), how many were `started` and `terminated`; with
 * `failNext` set the next worker's model fails to load (HTTP 503); `run` replaces standIns.
 */
export function installFakeWorker(t) {
  class FakeWorker {
    constructor(url, options) {
      assert.match(String(url), /\/model-worker\.js$/);
      FakeWorker.options.push({ ...options }); // reads `type`, as a browser with module workers does
      this.listeners = { message: [], error: [] };
      const fail = FakeWorker.failNext;
      const built = async () => {
        if (fail) throw new LoadError("model/model.json", "HTTP 503");
        return { model: "the model" };
      };
      this.handle = createModelHost(
        (message) => setTimeout(() => this.listeners.message.forEach((listen) => listen({ data: message }))),
        FakeWorker.run ?? standIns(built),
      );
      FakeWorker.started += 1;
    }
    addEventListener(type, listen) {
      this.listeners[type].push(listen);
    }
    postMessage(message) {
      FakeWorker.posted.push(message.type);
      setTimeout(() => this.handle(structuredClone(message)));
    }
    terminate() {
      FakeWorker.terminated += 1;
    }
  }
  Object.assign(FakeWorker, { started: 0, terminated: 0, options: [], posted: [], failNext: false, run: null });
  globalThis.Worker = FakeWorker;
  t.after(() => delete globalThis.Worker);
  return FakeWorker;
}
