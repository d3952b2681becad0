// A Goodreads export from its bytes to a shelf, in short tasks with progress: read (decode,
// parse: 0..80% of the bar), then match to the catalogue (the rest). No DOM and no fetch: the
// entry module reads the file and fetches the match index, and merges the shelf
// (shelf-state.js mergeImport) only once all of this has worked, so a bad file changes nothing.
import { buildShelf, decodeExport, matchRows, readExport, summarize } from "./goodreads.js";

/** What the page says when the server has a newer build than the page's catalogue. */
export const NEWER_BUILD =
  "Shelf was updated since this page was opened, so this page's catalogue no longer matches the " +
  "server's. Reload the page (your shelf is kept), then import the file again.";

/** The progress line while a file named `name` is read. */
export function readingWhat(name) {
  return `Reading ${name}…`;
}

/**
 * The export's `bytes` (Uint8Array) read and matched with `matcher` (goodreads.js matchIndex):
 * {rows, matches, shelf: buildShelf's {picks, marks}, summary: summarize's, parsed, matched: the
 * times (now()) when reading and matching ended}. onProgress(fraction 0..1, message); `pause`
 * yields between chunks (goodreads.js nextTask). Throws GoodreadsError for a file it cannot read.
 */
export async function readAndMatch(bytes, matcher, options) {
  const { name, onProgress = () => {}, pause, now = () => performance.now() } = options;
  const what = readingWhat(name);
  const text = decodeExport(bytes);
  const rows = await readExport(text, { onProgress: (fraction) => onProgress(0.8 * fraction, what), pause });
  const parsed = now();
  const matching = `Matching ${rows.length.toLocaleString("en-US")} rows to the catalogue…`;
  const matches = await matchRows(rows, matcher, {
    onProgress: (fraction) => onProgress(0.8 + 0.2 * fraction, matching),
    pause,
  });
  const shelf = buildShelf(rows, matches);
  return { rows, matches, shelf, summary: summarize(rows, matches), parsed, matched: now() };
}
