// Pure ranking code on the model's outputs: top rows, suggestions, reasons and similar books.
// No TF.js and no DOM: the page imports it directly (model-client.js), while the model runs in
// a worker (model-worker.js); recommend.js re-exports it for the map page and the tests.
import { compareKeys, seriesMembers, volumeOrder } from "./series.js";

/**
 * Rows of the k highest values, skipping `excluded` rows; ties go to the lower row. One pass
 * that keeps the best k in order (a phone ranks 10,000 books per pick: no full sort).
 */
export function topRows(values, k, excluded = new Set()) {
  const best = []; // rows, best first
  for (let row = 0; row < values.length; row++) {
    if (excluded.has(row)) continue;
    const value = values[row];
    if (best.length === k && !(value > values[best[k - 1]])) continue; // a tie keeps the lower row
    let at = best.length; // after every row at least as good (rows come in rising order)
    while (at > 0 && value > values[best[at - 1]]) at--;
    best.splice(at, 0, row);
    if (best.length > k) best.pop();
  }
  return best;
}

/** Suggestions: [{row, book_id, score, stars}] for the top k, never a picked book. */
export function topSuggestions(result, metadata, k) {
  const rows = topRows(result.scores, k, new Set(result.pickedRows));
  return rows.map((row) => ({
    row,
    book_id: metadata.book_ids[row],
    score: result.scores[row],
    stars: result.stars[row],
  }));
}

/**
 * The index of the pick-count bucket `numPicks` falls in (metadata.json's discovery.picks_from:
 * the fewest picks of each bucket; fewer than the first, as an empty shelf, counts as the first).
 * model/discovery.py `bucket` is its twin.
 */
export function discoveryBucket(discovery, numPicks) {
  const bounds = discovery.picks_from ?? [1];
  let at = 0;
  bounds.forEach((low, i) => {
    if (numPicks >= low) at = i;
  });
  return at;
}

/** A setting's weight for a visitor with `numPicks` picks (one number: every bucket). Throws on an unknown setting. */
function discoveryWeight(discovery, setting, numPicks) {
  if (!Object.hasOwn(discovery.weights, setting)) {
    throw new Error(`discovery must be one of ${discovery.settings.map((s) => `"${s}"`).join(", ")}`);
  }
  const weight = discovery.weights[setting];
  return Array.isArray(weight) ? weight[Math.min(discoveryBucket(discovery, numPicks), weight.length - 1)] : weight;
}

/** The knee a setting leans past: lesser-known's own when the entry has one (model/discovery.py knee_of). */
function kneeOf(discovery, setting) {
  const search = discovery.lesser_known;
  return setting === "lesser-known" && search && Object.hasOwn(search, "knee") ? search.knee : discovery.knee;
}

function lean(scores, discovery, weight, knee) {
  const values = new Float64Array(scores.length);
  for (let row = 0; row < scores.length; row++) {
    values[row] = scores[row] - weight * Math.max(discovery.popularity[row] / discovery.scale - knee, 0);
  }
  return values;
}

/**
 * The scores re-scored for a discovery setting ("popular", "balanced", "lesser-known") and a
 * visitor with `numPicks` picks, before `arrange`: a Float64Array of scores[row] - weight *
 * max(popularity[row] / scale - knee, 0), with `discovery` metadata.json's entry (weights per
 * setting and pick bucket, popularity per row in tenths, the knee past which a book counts as
 * widely read; lesser-known's own knee). For lesser-known it is the first step of discoveryArrange's search.
 * model/discovery.py `discovery_scores` is its twin (tests/golden/scoring.json). An unknown
 * setting throws, naming the allowed ones: a caller maps old or odd values to the default first.
 */
export function discoveryScores(scores, discovery, setting = discovery.default, numPicks = 1) {
  return lean(scores, discovery, discoveryWeight(discovery, setting, numPicks), kneeOf(discovery, setting));
}

const SEARCH_CARDS = 10; // lesser-known looks at the first ten cards (model/scoring.py)

/**
 * {ranked, mainRows, moreCounts, nextRows}: `scores` re-scored for the discovery `setting` of a
 * visitor with `numPicks` picks (null `discovery`: as they are), then `arrange`d. Lesser-known
 * leans per visitor, past its own knee: from its bucket's weight, the first of
 * discovery.lesser_known.steps added to it whose first ten cards hold at most `at_most` of
 * `most_rated` (else the last step).
 * model/scoring.py `discovery_arrange` is its twin (tests/golden/scoring.json).
 */
export function discoveryArrange(scores, discovery, setting, numPicks, hidden, table, started, dismissed, k) {
  if (!discovery) return { ranked: scores, ...arrange(scores, hidden, table, started, dismissed, k) };
  const weight = discoveryWeight(discovery, setting, numPicks);
  const knee = kneeOf(discovery, setting);
  const search = discovery.lesser_known;
  if (setting !== "lesser-known" || !search) {
    const ranked = lean(scores, discovery, weight, knee);
    return { ranked, ...arrange(ranked, hidden, table, started, dismissed, k) };
  }
  const mostRated = new Set(search.most_rated);
  let found = null;
  for (const step of search.steps) {
    const ranked = lean(scores, discovery, weight + step, knee);
    found = { ranked, ...arrange(ranked, hidden, table, started, dismissed, k) };
    const popular = found.mainRows.slice(0, SEARCH_CARDS).filter((row) => mostRated.has(row)).length;
    if (popular <= search.at_most) break;
  }
  return found;
}

/** A Float32Array [n * d] of `values`' n rows of d, each scaled to unit length (a zero row stays zero). */
export function unitRows(values, n, d) {
  const matrix = Float32Array.from(values);
  for (let row = 0; row < n; row++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += matrix[row * d + j] ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < d; j++) matrix[row * d + j] /= norm;
  }
  return matrix;
}

function cosine(sim, a, b) {
  let dot = 0;
  for (let j = 0; j < sim.d; j++) dot += sim.matrix[a * sim.d + j] * sim.matrix[b * sim.d + j];
  return dot;
}

/** The weight with which `row` votes for `target` in the neighbor table (0 when it does not). */
function neighborWeight(sim, row, target) {
  const table = sim.neighbors;
  if (!table) return 0;
  for (let j = 0; j < table.m; j++) {
    if (table.rows[row * table.m + j] === target) return table.weights[row * table.m + j];
  }
  return 0;
}

/**
 * The pick that explains a suggestion, among `reasonRows` (the liked picks, see picksToInputs):
 * the one whose neighbor vote for it is strongest (the pick that contributes most), else the
 * one whose vector is closest; null without picks.
 */
export function reasonFor(sim, suggestionRow, reasonRows) {
  let best = null;
  let bestKey = [-Infinity, -Infinity];
  for (const row of reasonRows) {
    const key = [neighborWeight(sim, row, suggestionRow), cosine(sim, row, suggestionRow)];
    if (key[0] > bestKey[0] || (key[0] === bestKey[0] && key[1] > bestKey[1])) {
      best = row;
      bestKey = key;
    }
  }
  return best;
}

/**
 * Rows of the k books most similar to `row`, excluding the book itself: first its neighbors
 * with a positive weight (strongest first, ties to the lower row), then by cosine.
 */
export function similarRows(sim, row, k) {
  const chosen = [];
  const table = sim.neighbors;
  if (table) {
    const entries = [];
    for (let j = 0; j < table.m; j++) {
      const other = table.rows[row * table.m + j];
      const weight = table.weights[row * table.m + j];
      if (weight > 0 && other !== row) entries.push([other, weight]);
    }
    entries.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    for (const [other] of entries) if (chosen.length < k && !chosen.includes(other)) chosen.push(other);
  }
  if (chosen.length >= k) return chosen;
  const values = new Float32Array(sim.n);
  for (let other = 0; other < sim.n; other++) values[other] = cosine(sim, row, other);
  const excluded = new Set([row, ...chosen]);
  return chosen.concat(topRows(values, k - chosen.length, excluded));
}

// How many of the best rows scoreOrder sorts before the rest: a page of cards, with the picks,
// marks and a series' other volumes skipped, is found among them nearly always.
const ORDER_FIRST = 512;

/**
 * Rows by score, highest first, ties to the lower row, sorted only as far as they are read:
 * the rows at or above the ORDER_FIRST-th highest score first (a native sort of the numbers
 * finds it), then the rest. The same order as sorting them all; a tenth of the time on a phone
 * (a 10,000-row sort by comparison is tens of milliseconds there).
 */
export function* scoreOrder(scores) {
  const byScore = (a, b) => scores[b] - scores[a] || a - b;
  const n = scores.length;
  if (n <= ORDER_FIRST) {
    yield* Array.from(scores.keys()).sort(byScore);
    return;
  }
  const sorted = Float64Array.from(scores).sort(); // NaN last
  if (Number.isNaN(sorted[n - 1])) {
    yield* Array.from(scores.keys()).sort(byScore); // no threshold orders them as the comparator does
    return;
  }
  const threshold = sorted[n - ORDER_FIRST];
  const [first, rest] = [[], []];
  for (let row = 0; row < n; row++) (scores[row] >= threshold ? first : rest).push(row);
  yield* first.sort(byScore);
  yield* rest.sort(byScore);
}

/**
 * The suggestions as the page shows them, one card per series: {mainRows, moreCounts, nextRows}.
 * model/scoring.py `arrange` is its twin (tests/golden/scoring.json), which says the rules.
 * scores: the model's, by row; hidden: a Set of rows never shown (picks, marks, filters);
 * table: series.js seriesTable; started: rows of the picks and of books marked read or reading;
 * dismissed: rows of books marked "not interested"; k: cards at most (and next volumes).
 */
export function arrange(scores, hidden, table, started, dismissed, k) {
  const members = seriesMembers(table);
  const seriesOf = (row) => table.index[row];
  const dismissedSeries = new Set([...dismissed].map(seriesOf));
  const blocked = new Set([...started].map(seriesOf).concat([...dismissedSeries]));
  blocked.delete(-1);
  const mainRows = [];
  const moreCounts = [];
  const shown = new Set();
  for (const row of scoreOrder(scores)) {
    if (mainRows.length >= k) break;
    const series = seriesOf(row);
    if (hidden.has(row) || blocked.has(series) || shown.has(series)) continue;
    if (series === -1) {
      mainRows.push(row);
      moreCounts.push(0);
      continue;
    }
    shown.add(series);
    const volumes = volumeOrder(table, members[series]).filter((r) => !hidden.has(r));
    mainRows.push(volumes[0]);
    moreCounts.push(volumes.length - 1);
  }
  const highest = new Map(); // started series (not dismissed) -> the highest end read
  for (const row of started) {
    const series = seriesOf(row);
    if (series === -1 || dismissedSeries.has(series)) continue;
    highest.set(series, Math.max(highest.get(series) ?? -Infinity, table.end[row]));
  }
  const nextRows = [];
  for (const [series, end] of highest) {
    const later = members[series].filter((r) => !hidden.has(r) && table.position[r] > end);
    if (later.length === 0) continue;
    const key = (r) => [table.position[r], table.end[r], r];
    nextRows.push(later.reduce((best, r) => (compareKeys(key(r), key(best)) < 0 ? r : best)));
  }
  nextRows.sort((a, b) => scores[b] - scores[a] || a - b);
  return { mainRows, moreCounts, nextRows: nextRows.slice(0, k) };
}
