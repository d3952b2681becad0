// web/js/search.js: normalization, typo costs and the ranking tiers (server/search.py mirrors
// all three; tests/golden/search.json pins both languages to one answer).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_QUERY_CHARS,
  NO_MATCH,
  buildSearchIndex,
  cappedQuery,
  joinedInitials,
  matchTier,
  maxEdits,
  normalize,
  prepareTypos,
  searchRows,
  typoCost,
  wordTypoCosts,
} from "../../web/js/search.js";

test("normalize folds case and accents and turns punctuation into single spaces", () => {
  assert.equal(normalize("Le Petit Prince — Édition"), "le petit prince edition");
  assert.equal(normalize("  Éric-M.  Ñandú!! "), "eric m nandu");
  assert.equal(normalize("ＡＢＣ ²"), "abc 2");
  assert.equal(normalize(""), "");
  assert.equal(normalize(undefined), "");
});

const BOOKS = [
  { title: "Dune", authors: "Frank Herbert", ratings_count: 10 }, // row 0
  { title: "Dune Messiah", authors: "Frank Herbert", ratings_count: 5 }, // 1
  { title: "Children of Dune", authors: "Frank Herbert", ratings_count: 7 }, // 2
  { title: "The Road", authors: "Dune Person", ratings_count: 3 }, // 3
  { title: "Sandunes", authors: "X", ratings_count: 1 }, // 4
  { title: "Nothing Here", authors: "Z", ratings_count: 1000 }, // 5
];

test("the tiers: exact title, title prefix, title word, author word, word prefixes, typos, inside", () => {
  const index = buildSearchIndex(BOOKS);
  const tier = (row, query) => matchTier(index, row, normalize(query));
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((row) => tier(row, "dune")),
    [[0, 0], [1, 0], [2, 0], [3, 0], [6, 0], null],
  );
  assert.deepEqual(tier(2, "dune child"), [4, 0]); // every word starts a word, in any order
  assert.deepEqual(tier(2, "dnue chlid"), [5, 5]); // swapped "dune" (2), swapped "child..." (3)
  assert.deepEqual(tier(3, "oad"), [5, 2]); // one typo from "road" beats being inside it
  assert.deepEqual(tier(4, "une"), [6, 0]); // inside "sandunes" only
  assert.deepEqual(tier(4, "une x"), [6, 0]);
});

test("searchRows ranks by tier, then by ratings_count; an empty query lists by popularity", () => {
  const index = buildSearchIndex(BOOKS);
  assert.deepEqual(searchRows(index, "DUNE"), [0, 1, 2, 3, 4]);
  assert.deepEqual(searchRows(index, "frank herbert"), [0, 2, 1]); // all tier 3: by popularity
  assert.deepEqual(searchRows(index, "  "), [5, 0, 2, 1, 3, 4]);
  assert.deepEqual(searchRows(index, "zzz"), []);
});

test("maxEdits: no typos below 3 characters, one up to 5, then two", () => {
  assert.deepEqual([1, 2, 3, 5, 6, 12].map(maxEdits), [0, 0, 1, 1, 2, 2]);
});

test("typoCost: 2 per typo for a whole word, 2 per typo + 1 for the start of a longer one", () => {
  assert.equal(typoCost("hobit", "hobbit"), 2); // missing letter
  assert.equal(typoCost("hobbbbit", "hobbit"), 4); // two letters too many: 8 letters allow two
  assert.equal(typoCost("tolkein", "tolkien"), 2); // swapped neighbours are one typo
  assert.equal(typoCost("dostoevsky", "dostoyevsky"), 2); // transliteration
  assert.equal(typoCost("dostoev", "dostoyevsky"), 3); // still typing: a prefix, one typo
  assert.equal(typoCost("hobit", "chobits"), 3); // "chobit" is one typo away, and a prefix
  assert.equal(typoCost("woman", "women"), 2);
  assert.equal(typoCost("abcd", "xyzw"), NO_MATCH);
  assert.equal(typoCost("ab", "ac"), NO_MATCH); // two letters: no typos forgiven
  assert.equal(typoCost("harry", "harry"), 0); // a word start: the ranking takes those first
  assert.equal(typoCost("𠮷abc", "𠮷abd"), 2); // code points: 4 characters, not 5 UTF-16 units
  assert.equal(typoCost("𠮷abxy", "𠮷abcd"), NO_MATCH); // 5 code points: k = 1, not 2
});

// Random words over a small alphabet (so words share prefixes and typos collide), one of them
// astral, against the word-by-word definition.
function randomWords(seed, count) {
  let state = seed;
  const next = (n) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const letters = ["a", "b", "c", "d", "e", "é", "𠮷"];
  const word = () => Array.from({ length: 1 + next(9) }, () => letters[next(letters.length)]).join("");
  return Array.from({ length: count }, word);
}

test("wordTypoCosts walks the words as a trie and gives typoCost for every word", () => {
  const texts = randomWords(7, 400);
  const index = buildSearchIndex(texts.map((title) => ({ title, authors: "", ratings_count: 0 })));
  const words = prepareTypos(index);
  for (const token of randomWords(11, 150)) {
    const fast = wordTypoCosts(words, token);
    words.vocabulary.forEach((word, w) => {
      assert.equal(fast[w], typoCost(token, word), `${JSON.stringify(token)} vs ${JSON.stringify(word)}`);
    });
  }
});

test("typos: the meant book first, exact and prefix matches before any typo", () => {
  const books = [
    { title: "The Hobbit", authors: "J.R.R. Tolkien", ratings_count: 2000 }, // 0
    { title: "Chobits", authors: "CLAMP", ratings_count: 30 }, // 1
    { title: "Crime and Punishment", authors: "Fyodor Dostoyevsky", ratings_count: 380 }, // 2
    { title: "Hobbits of the Shire", authors: "Anon", ratings_count: 1 }, // 3
    { title: "Hobit", authors: "Obscure Press", ratings_count: 0 }, // 4
  ];
  const index = buildSearchIndex(books);
  // The exact title, then one typo from a whole word (cost 2), then one typo from the start
  // of a longer word (cost 3: "chobit", "hobbit"), more popular first.
  assert.deepEqual(searchRows(index, "hobit"), [4, 0, 1, 3]);
  assert.deepEqual(searchRows(index, "tolkein"), [0]);
  assert.deepEqual(searchRows(index, "dostoevsky crime"), [2]);
  // Title prefix, title word, then the typos: "hobit" (one, cost 2), "chobit" (two, cost 5).
  assert.deepEqual(searchRows(index, "hobbit"), [3, 0, 4, 1]);
  assert.deepEqual(searchRows(index, "xq"), []);
});

test("joinedInitials: runs of one-letter words written together, for \"jk rowling\"", () => {
  assert.equal(joinedInitials("j k rowling mary grandpre"), "jk");
  assert.equal(joinedInitials("j r r tolkien c s lewis"), "jrr cs");
  assert.equal(joinedInitials("george r r martin"), "rr");
  assert.equal(joinedInitials("a b"), "ab");
  assert.equal(joinedInitials("frank herbert x"), "");
  assert.equal(joinedInitials("𠮷 x"), "𠮷x"); // one code point is one letter
  assert.equal(joinedInitials(""), "");
});

test("a query is cut to the API's 200 code points, never inside a character", () => {
  assert.equal(MAX_QUERY_CHARS, 200);
  assert.equal(cappedQuery("dune"), "dune");
  assert.equal(cappedQuery("x".repeat(20000)), "x".repeat(200));
  const astral = "𝔇".repeat(300); // two UTF-16 units each
  assert.equal(cappedQuery(astral), "𝔇".repeat(200));
  assert.equal(cappedQuery("a" + astral), "a" + "𝔇".repeat(199));
});

test("searchRows searches a long query's first 200 characters only", () => {
  const index = buildSearchIndex(BOOKS);
  const head = "dune ".repeat(40); // 200 characters: every Dune
  const pasted = head + "zzzzzzzzz ".repeat(2000); // 20,200: the rest would match nothing
  assert.deepEqual(searchRows(index, pasted), searchRows(index, head));
  assert.ok(searchRows(index, pasted).length > 0);
});
