// Search over the catalogue: pure functions, no DOM. server/search.py mirrors this
// normalization, typo cost and ranking, so /api/books?q= answers like the search box; both are
// held to tests/golden/search.json.
//
// A book matches when every query word starts a word of its title or authors, is within a few
// typos of one (typoCost: "tolkein", "hobit", "dostoevsky" find Tolkien, The Hobbit,
// Dostoyevsky), or occurs inside one. Exact and prefix matches rank first (tiers 0-4), then
// typo matches by cost, then inner matches; popularity breaks ties. Why this is written out
// here and in Python rather than taken from a library: docs/SERVING.md#search.

/** A typo cost meaning "not within maxEdits" (fits a Uint8Array). */
export const NO_MATCH = 255;
// Query words whose typo costs are kept: typing repeats every word but the last.
const TYPO_CACHE_SIZE = 64;
/**
 * Typos are looked for only when fewer books than this match every query word at a word start
 * (tiers 0-4). Typo matches rank after those anyway, so this changes nothing in the first
 * TYPOS_BELOW answers, and spares the typo walk to most keystrokes (server/search.py: the same).
 */
const TYPOS_BELOW = 3;
/**
 * The longest query searched, in code points: the API's (server/__init__.py MAX_QUERY_CHARS,
 * counted by Python's len). The search boxes take no more (maxlength); a longer query (a paste
 * into a box without one) is cut here, so it never blocks the page (20,000 characters took
 * 2.5 s of the main thread).
 */
export const MAX_QUERY_CHARS = 200;

/** `query`'s first MAX_QUERY_CHARS code points (a character outside the BMP is never split). */
export function cappedQuery(query) {
  if (query.length <= MAX_QUERY_CHARS) return query;
  let end = 0;
  for (let count = 0; count < MAX_QUERY_CHARS && end < query.length; count++) {
    end += query.codePointAt(end) > 0xffff ? 2 : 1;
  }
  return query.slice(0, end);
}

/**
 * Fold case and accents, turn everything but letters and digits into single spaces.
 * "Le Petit Prince — Édition" -> "le petit prince edition".
 */
export function normalize(text) {
  return (text || "")
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * Runs of one-letter words in normalized `authors` written together ("j k rowling" -> "jk",
 * "j r r tolkien" -> "jrr"): readers type "jk rowling". server/search.py joined_initials.
 */
export function joinedInitials(authors) {
  const runs = [];
  let run = [];
  for (const word of [...authors.split(" "), ""]) {
    if (Array.from(word).length === 1) {
      run.push(word);
      continue;
    }
    if (run.length > 1) runs.push(run.join(""));
    run = [];
  }
  return runs.join(" ");
}

/** Typos forgiven in a query word of `length` characters: none below 3, one up to 5, then two. */
export function maxEdits(length) {
  return length < 3 ? 0 : length < 6 ? 1 : 2;
}

const codePoints = (text) => Array.from(text, (char) => char.codePointAt(0));

/**
 * How far the catalogue `word` is from the query word `token` (both normalized), word by word:
 * the definition typoCosts computes fast (server/search.py typo_cost is the same).
 * With d the optimal string alignment distance (insert, delete, substitute or swap two
 * neighbours; no substring edited twice) and k = maxEdits(token length): 2d when
 * d(token, word) <= k; else 2p + 1 when p, the least d(token, a prefix of word), is <= k (the
 * reader may still be typing); else NO_MATCH, always so when k is 0. Code points, not UTF-16.
 */
export function typoCost(token, word) {
  const t = codePoints(token);
  const w = codePoints(word);
  const m = t.length;
  const k = maxEdits(m);
  if (k === 0) return NO_MATCH;
  let twoBack = null;
  let above = Array.from({ length: m + 1 }, (_, i) => i); // above[i] = d(token[:i], word[:j - 1])
  let bestPrefix = m; // least d(token, word[:j]) so far
  for (let j = 1; j <= w.length; j++) {
    const row = [j];
    for (let i = 1; i <= m; i++) {
      row[i] = Math.min(above[i] + 1, row[i - 1] + 1, above[i - 1] + (t[i - 1] === w[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && t[i - 1] === w[j - 2] && t[i - 2] === w[j - 1]) {
        row[i] = Math.min(row[i], twoBack[i - 2] + 1); // swap two neighbours
      }
    }
    bestPrefix = Math.min(bestPrefix, row[m]);
    if (Math.min(...row) > k) return bestPrefix <= k ? 2 * bestPrefix + 1 : NO_MATCH;
    twoBack = above;
    above = row;
  }
  if (above[m] <= k && above[m] === bestPrefix) return 2 * above[m];
  return bestPrefix <= k ? 2 * bestPrefix + 1 : NO_MATCH;
}

/**
 * The words of titles and authors: sorted, as code points end to end (word w is
 * codes[offsets[w]..offsets[w + 1]]), with each word's common prefix length with the word before
 * (`shared`) and the rows holding it (rows[rowStarts[w]..rowStarts[w + 1]]).
 */
function buildWords(texts) {
  const idOf = new Map();
  const rowsOf = []; // by id, in first-seen order; rows ascending, each once
  texts.forEach((text, row) => {
    for (const word of text.split(" ")) {
      if (!word) continue;
      const id = idOf.get(word);
      if (id === undefined) {
        idOf.set(word, rowsOf.length);
        rowsOf.push([row]);
      } else if (rowsOf[id].at(-1) !== row) rowsOf[id].push(row);
    }
  });
  // Sorted, words with a common prefix sit side by side (UTF-16 order will do for that).
  const vocabulary = [...idOf.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const count = vocabulary.length;
  const offsets = new Int32Array(count + 1);
  const rowStarts = new Int32Array(count + 1);
  let length = 0;
  for (let w = 0; w < count; w++) {
    length += vocabulary[w].length; // UTF-16 units: at least the code points
    rowStarts[w + 1] = rowStarts[w] + rowsOf[idOf.get(vocabulary[w])].length;
  }
  const codes = new Int32Array(length);
  const rows = new Int32Array(rowStarts[count]);
  const shared = new Int32Array(count);
  let end = 0;
  for (let w = 0; w < count; w++) {
    const word = vocabulary[w];
    for (let i = 0; i < word.length; i++) {
      const code = word.codePointAt(i);
      codes[end++] = code;
      if (code > 0xffff) i++; // the low surrogate of a pair
    }
    offsets[w + 1] = end;
    rows.set(rowsOf[idOf.get(word)], rowStarts[w]);
    if (w > 0) {
      const before = offsets[w - 1];
      const most = Math.min(end - offsets[w], offsets[w] - before);
      let n = 0;
      while (n < most && codes[offsets[w] + n] === codes[before + n]) n++;
      shared[w] = n;
    }
  }
  return { vocabulary, codes, offsets, shared, rows, rowStarts };
}

/**
 * Precompute normalized titles/authors and the popularity order for `books` (in row order).
 * The words for typo matching are built on the first search that needs them (prepareTypos).
 */
export function buildSearchIndex(books) {
  const titles = books.map((b) => normalize(b.title));
  const authors = books.map((b) => normalize(b.authors));
  const texts = titles.map((t, row) => [t, authors[row], joinedInitials(authors[row])].filter(Boolean).join(" "));
  const haystacks = texts.map((text) => ` ${text} `);
  const popularity = books.map((_, row) => row);
  // Most ratings first, ties by lower row.
  popularity.sort((a, b) => (books[b].ratings_count || 0) - (books[a].ratings_count || 0) || a - b);
  return { titles, authors, haystacks, popularity, words: null, typoCache: new Map() };
}

/**
 * Build the index's words for typo matching now (tens of milliseconds for 10,000 books) rather
 * than on the first search that needs them, e.g. when the page is idle. Returns them.
 */
export function prepareTypos(index) {
  index.words ??= buildWords(index.haystacks.map((haystack) => haystack.slice(1, -1)));
  return index.words;
}

/**
 * typoCost(token, word) of every word, in vocabulary order (Uint8Array, NO_MATCH: none).
 * Walks the sorted words as a trie: the distance row of a prefix is computed once and shared by
 * every word that starts with it, and a prefix whose row is past k is dropped with all its
 * words (they keep the cost of the best prefix above it): a few hundred rows, not 15,000 words.
 */
export function wordTypoCosts(words, token) {
  const { codes, offsets, shared } = words;
  const count = shared.length;
  const costs = new Uint8Array(count).fill(NO_MATCH);
  const t = codePoints(token);
  const m = t.length;
  const k = maxEdits(m);
  if (k === 0) return costs;
  const rows = [Int32Array.from({ length: m + 1 }, (_, i) => i)]; // rows[d]: the current word's first d characters
  const best = [m]; // best[d]: least rows[e][m] for e <= d
  let valid = 0; // rows[0..valid] hold the current word's prefixes
  let w = 0;
  while (w < count) {
    const start = offsets[w];
    const n = offsets[w + 1] - start;
    let d = Math.min(valid, shared[w]);
    let dropped = false;
    while (d < n) {
      d += 1;
      const row = (rows[d] ??= new Int32Array(m + 1));
      const above = rows[d - 1];
      const char = codes[start + d - 1];
      const before = d > 1 ? codes[start + d - 2] : -1;
      row[0] = d;
      let least = d;
      for (let i = 1; i <= m; i++) {
        let v = Math.min(above[i] + 1, row[i - 1] + 1, above[i - 1] + (t[i - 1] === char ? 0 : 1));
        if (i > 1 && d > 1 && t[i - 1] === before && t[i - 2] === char) v = Math.min(v, rows[d - 2][i - 2] + 1);
        row[i] = v;
        if (v < least) least = v;
      }
      best[d] = Math.min(best[d - 1], row[m]);
      if (least > k) {
        dropped = true; // every longer prefix is further still
        break;
      }
    }
    valid = d;
    const prefixCost = best[d] <= k ? 2 * best[d] + 1 : NO_MATCH;
    const whole = dropped ? NO_MATCH : rows[n][m];
    costs[w] = whole <= k && whole === best[n] ? 2 * whole : prefixCost;
    w += 1;
    // The words that share the dropped prefix get the same cost.
    if (dropped) for (; w < count && shared[w] >= d; w += 1) costs[w] = prefixCost;
  }
  return costs;
}

/** Uint8Array [num_books]: the least typoCost(token, word) over each book's words; cached. */
function typoCosts(index, token) {
  const cached = index.typoCache.get(token);
  if (cached) return cached;
  const words = prepareTypos(index);
  const { rows, rowStarts } = words;
  const wordCosts = wordTypoCosts(words, token);
  const costs = new Uint8Array(index.titles.length).fill(NO_MATCH);
  wordCosts.forEach((cost, w) => {
    if (cost === NO_MATCH) return;
    for (let j = rowStarts[w]; j < rowStarts[w + 1]; j++) if (cost < costs[rows[j]]) costs[rows[j]] = cost;
  });
  if (index.typoCache.size >= TYPO_CACHE_SIZE) index.typoCache.delete(index.typoCache.keys().next().value);
  index.typoCache.set(token, costs);
  return costs;
}

// [tier, typo cost] of book `row` written into `out` (lower is better); false: no match.
function rankOf(index, row, query, spacedQuery, tokens, spaced, typos, out) {
  const haystack = index.haystacks[row];
  let everyStart = true;
  let inside = false;
  let cost = 0;
  for (let t = 0; t < tokens.length; t++) {
    const somewhere = haystack.includes(tokens[t]); // false for most books: one test rules them out
    if (somewhere && haystack.includes(spaced[t])) continue;
    everyStart = false;
    const typo = typos[t][row];
    if (typo !== NO_MATCH) cost += typo;
    else if (somewhere) inside = true;
    else return false;
  }
  out[1] = cost;
  if (!everyStart) out[0] = inside ? 6 : 5;
  else {
    const title = index.titles[row];
    const authors = index.authors[row];
    if (title === query) out[0] = 0;
    else if (title.startsWith(query)) out[0] = 1;
    else if (title.includes(spacedQuery)) out[0] = 2; // the query starts a word of the title
    else if (authors.startsWith(query) || authors.includes(spacedQuery)) out[0] = 3;
    else out[0] = 4;
  }
  return true;
}

/**
 * [tier, typo cost] of book `row` for the normalized query, or null: no match. Each query word
 * must start a word of the title or authors, else be within typos of one (typoCosts), else
 * occur inside one. Tiers: 0 exact title, 1 title starts with the query, 2 it starts a word of
 * the title, 3 it starts a word of the authors, 4 every query word starts a word, 5 the others
 * with typos, 6 some word only inside another. The cost sums the typo costs.
 */
export function matchTier(index, row, query) {
  const tokens = query.split(" ");
  const typos = tokens.map((token) => typoCosts(index, token));
  const out = [0, 0];
  const spaced = tokens.map((token) => " " + token);
  return rankOf(index, row, query, " " + query, tokens, spaced, typos, out) ? out : null;
}

/**
 * Every row matching `query` (its first MAX_QUERY_CHARS), by tier, then typo cost, then
 * popularity; empty query = all by popularity.
 */
export function searchRows(index, query) {
  const normalized = normalize(cappedQuery(query));
  if (!normalized) return index.popularity.slice();
  const tokens = normalized.split(" ");
  const spaced = tokens.map((token) => " " + token);
  let typos;
  if (wordStartMatches(index, spaced, TYPOS_BELOW) < TYPOS_BELOW) {
    typos = tokens.map((token) => typoCosts(index, token));
  } else {
    const noTypos = new Uint8Array(index.titles.length).fill(NO_MATCH);
    typos = tokens.map(() => noTypos);
  }
  const byTier = rankRows(index, normalized, tokens, spaced, typos);
  const byCost = (costs) => [...costs.keys()].sort((a, b) => a - b).flatMap((cost) => costs.get(cost));
  return byTier.slice(0, 5).concat([byCost(byTier[5]), byCost(byTier[6])]).flat();
}

// How many books have every query word at a word start (tiers 0-4), counting up to `enough`.
function wordStartMatches(index, spaced, enough) {
  let count = 0;
  for (const row of index.popularity) {
    const haystack = index.haystacks[row];
    let t = 0;
    while (t < spaced.length && haystack.includes(spaced[t])) t++;
    if (t === spaced.length && ++count >= enough) break;
  }
  return count;
}

// Rows by tier (arrays for 0-4), and for tiers 5 and 6 by cost (Map cost -> rows), each in
// popularity order: a stable counting sort.
function rankRows(index, query, tokens, spaced, typos) {
  const byTier = [[], [], [], [], [], new Map(), new Map()];
  const rank = [0, 0];
  for (const row of index.popularity) {
    if (!rankOf(index, row, query, " " + query, tokens, spaced, typos, rank)) continue;
    const [tier, cost] = rank;
    if (tier < 5) byTier[tier].push(row);
    else if (byTier[tier].has(cost)) byTier[tier].get(cost).push(row);
    else byTier[tier].set(cost, [row]);
  }
  return byTier;
}
