// The page's search (web/js/search.js) timed as the search box runs it: building the index,
// each query from cold, and every keystroke of typing the queries (typo costs of the words
// already typed are kept, as on the page). benchmarks/bench_search.py runs it under Node and in
// Chromium with the CPU slowed 4x:
//
//     node benchmarks/bench_search.mjs BOOKS.json QUERIES.json [SEARCH_MODULE]   (prints JSON)

/** {buildMs, prepareMs, cold: [ms], keystrokes: [ms], top3: {query: [rows]}} for `search`. */
export function timeSearch(search, books, queries) {
  const now = () => performance.now();
  let start = now();
  const index = search.buildSearchIndex(books);
  const buildMs = now() - start;
  start = now();
  search.prepareTypos?.(index); // absent before typos were forgiven
  const prepareMs = now() - start;
  const cold = [];
  const top3 = {};
  for (const query of queries) {
    index.typoCache?.clear();
    start = now();
    const rows = search.searchRows(index, query);
    cold.push(now() - start);
    top3[query] = rows.slice(0, 3);
  }
  index.typoCache?.clear();
  const keystrokes = [];
  for (const query of queries) {
    for (let i = 1; i <= query.length; i++) {
      start = now();
      search.searchRows(index, query.slice(0, i));
      keystrokes.push(now() - start);
    }
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
