// The page's search (web/js/search.js) timed as the search box runs it: building the index,
// each query from cold, and every keystroke of typing the queries (typo costs of the words
// already typed are kept, as on the page), each the least of a few runs. benchmarks/bench_search.py runs it under Node and in
// Chromium with the CPU slowed 4x:
//
//     node benchmarks/bench_search.mjs BOOKS.json QUERIES.json [SEARCH_MODULE]   (prints JSON)

/**
 * {buildMs, prepareMs, cold: [ms], keystrokes: [ms], top3: {query: [rows]}} for `search`.
 * Each time is the least of `repeats` runs of the same work (the queries, or typing all of
 * them from an empty cache): on a shared machine the least is the one nothing else interrupted.
 */
export function timeSearch(search, books, queries, repeats = 3) {
  const now = () => performance.now();
  let start = now();
  const index = search.buildSearchIndex(books);
  const buildMs = now() - start;
  start = now();
  search.prepareTypos?.(index); // absent before typos were forgiven
  const prepareMs = now() - start;
  const typed = queries.flatMap((query) => Array.from(query, (_, i) => query.slice(0, i + 1)));
  const cold = queries.map(() => Infinity);
  const keystrokes = typed.map(() => Infinity);
  const top3 = {};
  for (let r = 0; r < repeats; r++) {
    queries.forEach((query, q) => {
      index.typoCache?.clear();
      start = now();
      const rows = search.searchRows(index, query);
      cold[q] = Math.min(cold[q], now() - start);
      top3[query] = rows.slice(0, 3);
    });
    index.typoCache?.clear();
    typed.forEach((prefix, k) => {
      start = now();
      search.searchRows(index, prefix);
      keystrokes[k] = Math.min(keystrokes[k], now() - start);
    });
  }
  return { buildMs, prepareMs, cold, keystrokes, top3 };
}

if (globalThis.process?.argv?.[1]?.endsWith("bench_search.mjs")) {
  const { readFileSync } = await import("node:fs");
  const { pathToFileURL } = await import("node:url");
  const [booksPath, queriesPath, modulePath] = process.argv.slice(2);
  const search = await import(
    modulePath ? pathToFileURL(modulePath).href : new URL("../web/js/search.js", import.meta.url).href
  );
  const books = JSON.parse(readFileSync(booksPath, "utf-8"));
  const queries = JSON.parse(readFileSync(queriesPath, "utf-8"));
  console.log(JSON.stringify(timeSearch(search, books, queries)));
}
