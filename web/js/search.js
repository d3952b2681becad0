// Search over the catalogue: pure functions, no DOM. server/search.py mirrors this
// normalisation and ranking line for line, so /api/books?q= answers like the search box.

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

/** Precompute normalised titles/authors and the popularity order for `books` (book_index order). */
export function buildSearchIndex(books) {
  const titles = books.map((b) => normalize(b.title));
  const authors = books.map((b) => normalize(b.authors));
  const haystacks = titles.map((t, row) => ` ${t} ${authors[row]} `);
  const popularity = books.map((_, row) => row);
  // Most ratings first, ties by lower row.
  popularity.sort((a, b) => (books[b].ratings_count || 0) - (books[a].ratings_count || 0) || a - b);
  return { titles, authors, haystacks, popularity };
}

/**
 * How well row matches the normalised query: 0 exact title, 1 title starts with it, 2 it starts
 * a word of the title, 3 it starts a word of the authors, 4 every query word starts a word of
 * title or authors, 5 every query word occurs somewhere; null = no match.
 */
export function matchTier(index, row, query, tokens) {
  const haystack = index.haystacks[row];
  if (!tokens.every((token) => haystack.includes(token))) return null;
  const title = index.titles[row];
  if (title === query) return 0;
  if (title.startsWith(query)) return 1;
  if ((" " + title).includes(" " + query)) return 2;
  if ((" " + index.authors[row]).includes(" " + query)) return 3;
  if (tokens.every((token) => haystack.includes(" " + token))) return 4;
  return 5;
}

/** Every row matching `query`, best tier first, then most popular; empty query = all by popularity. */
export function searchRows(index, query) {
  const normalized = normalize(query);
  if (!normalized) return index.popularity.slice();
  const tokens = normalized.split(" ");
  const matches = [];
  for (const row of index.popularity) {
    const tier = matchTier(index, row, normalized, tokens);
    if (tier !== null) matches.push([tier, row]);
  }
  matches.sort((a, b) => a[0] - b[0]); // stable: popularity order within a tier
  return matches.map((pair) => pair[1]);
}
