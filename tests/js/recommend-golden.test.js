// reasonFor, similarRows and topRows of web/js/recommend.js give tests/golden/scoring.json's
// answers (model/scoring.py is held to the same file by tests/model/test_scoring_golden.py;
// tests/golden/make_scoring.py writes it). TF.js is not loaded: these functions never use it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { register } from "node:module";
import { test } from "node:test";

register("./tf-stub.mjs", import.meta.url);
const { arrange, discoveryArrange, discoveryScores, reasonFor, similarRows, topRows, unitRows } = await import("../../web/js/recommend.js");
const { seriesTable } = await import("../../web/js/series.js");

const golden = JSON.parse(readFileSync(new URL("../golden/scoring.json", import.meta.url), "utf-8"));
const n = golden.num_books;
const sim = {
  matrix: unitRows(golden.vectors.flat(), n, golden.dim),
  n,
  d: golden.dim,
  neighbors: {
    rows: Int32Array.from(golden.neighbor_rows.flat()),
    weights: Float32Array.from(golden.neighbor_weights.flat()),
    m: golden.num_neighbors,
  },
};

test("reasonFor names the golden pick for every suggestion", () => {
  for (const { suggestion, candidates, reason } of golden.reasons) {
    assert.equal(reasonFor(sim, suggestion, candidates), reason, `suggestion ${suggestion} of ${candidates}`);
  }
});

test("similarRows gives the golden rows for every book", () => {
  golden.similar.forEach((rows, row) => assert.deepEqual(similarRows(sim, row, golden.k), rows, `row ${row}`));
});

test("topRows gives the golden rows, ties to the lower row", () => {
  for (const { scores, k, exclude, rows } of golden.top) {
    assert.deepEqual(topRows(Float32Array.from(scores), k, new Set(exclude)), rows);
  }
});

test("topRows keeps the order a full sort gives, on many ties, for every k", () => {
  // Values 0..4 over 200 rows: ties everywhere; every 7th row excluded.
  const values = Float32Array.from({ length: 200 }, (_, row) => (row * 37) % 5);
  const excluded = new Set(Array.from({ length: 29 }, (_, i) => i * 7));
  const sorted = [...values.keys()].filter((row) => !excluded.has(row)).sort((a, b) => values[b] - values[a] || a - b);
  for (const k of [0, 1, 2, 20, 171, 300]) assert.deepEqual(topRows(values, k, excluded), sorted.slice(0, k), `k ${k}`);
  assert.deepEqual(topRows(Float32Array.from([1, 3, 3, 2]), 2), [1, 2]);
});

test("arrange gives the golden cards, +N and next volumes (one card per series)", () => {
  const { titles, ...series } = golden.series;
  const table = seriesTable({ book_ids: titles.map((_, row) => row + 1), series });
  assert.ok(golden.arrange.length >= 20);
  for (const c of golden.arrange) {
    const got = arrange(Float32Array.from(c.scores), new Set(c.hidden), table, c.started, c.dismissed, c.k);
    assert.deepEqual(got, { mainRows: c.main_rows, moreCounts: c.more_counts, nextRows: c.next_rows }, c.name);
  }
});

test("discoveryScores gives the golden values and top rows for each setting", () => {
  const { entry, cases } = golden.discovery;
  assert.equal(cases.length, 9);
  for (const c of cases) {
    const values = discoveryScores(Float32Array.from(c.scores), entry, c.setting, c.num_picks);
    assert.deepEqual(Array.from(values), c.values, c.setting);
    assert.deepEqual(topRows(values, golden.k), c.rows, c.setting);
  }
  // The default setting and one pick when not given (cases[1]: balanced at one pick).
  assert.equal(cases[1].num_picks, 1);
  assert.deepEqual(Array.from(discoveryScores(Float32Array.from(cases[0].scores), entry)), cases[1].values);
  assert.throws(() => discoveryScores(new Float32Array(golden.num_books), entry, "obscure"), /"popular", "balanced", "lesser-known"/);
});

test("discoveryArrange re-scores for the number of picks and leans lesser-known per visitor as the golden file says", () => {
  const { titles, ...series } = golden.series;
  const table = seriesTable({ book_ids: titles.map((_, row) => row + 1), series });
  const { entry, cases } = golden.discovery_arrange;
  assert.ok(cases.length >= 12);
  for (const c of cases) {
    const got = discoveryArrange(Float32Array.from(c.scores), entry, c.setting, c.picks.length, new Set(c.picks), table, c.picks, [], c.k);
    assert.deepEqual(Array.from(got.ranked), c.ranked, `${c.setting} ${c.picks.length}`);
    assert.deepEqual({ mainRows: got.mainRows, moreCounts: got.moreCounts, nextRows: got.nextRows }, { mainRows: c.main_rows, moreCounts: c.more_counts, nextRows: c.next_rows });
  }
});
