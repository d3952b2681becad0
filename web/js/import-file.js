// A Goodreads export from the file the visitor chose to a shelf, in short tasks with progress:
// read (decode, parse: 0..80% of the bar), then match to the catalogue (the rest). No DOM and
// no fetch: the entry module passes in the match index's download and the wait for the
// catalogue, and merges the shelf (shelf-edits.js mergeImport) only once all of this has
// worked, so a bad file changes nothing.
import { MAX_FILE_BYTES, buildShelf, decodeExport, matchRows, readExport, summarize, tooBig } from "./goodreads.js";

/** The progress line while a file named `name` is read. */
function readingWhat(name) {
  return `Reading ${name}…`;
}

/**
 * The chosen `file` (a File: name, size, arrayBuffer()) read and matched: readAndMatch's
 * result, and {times: {readMs, parseMs, matchMs}, started: now() at the start}. Before
 * reading: `untilCatalogue` (null when the catalogue is in) resolves once it is; matcher()
 * resolves to the match index. onProgress(fraction, message).
 */
export async function readFile(file, { untilCatalogue = null, matcher, onProgress = () => {}, pause, now }) {
  now ??= () => performance.now();
  const started = now();
  onProgress(0, readingWhat(file.name));
  if (file.size > MAX_FILE_BYTES) throw tooBig(file.size);
  if (untilCatalogue !== null) {
    onProgress(0, `${readingWhat(file.name)} It is matched as soon as the catalogue has loaded.`);
    await untilCatalogue();
  }
  const [bytes, index] = await Promise.all([file.arrayBuffer(), matcher()]);
  const read = now();
  const got = await readAndMatch(new Uint8Array(bytes), index, { name: file.name, onProgress, pause, now });
  const times = { readMs: read - started, parseMs: got.parsed - read, matchMs: got.matched - got.parsed };
  return { ...got, times, started };
}

/**
 * The export's `bytes` (Uint8Array) read and matched with `matcher` (goodreads.js matchIndex):
 * {rows, matches, shelf: buildShelf's {picks, marks}, summary: summarize's, parsed, matched: the
 * times (now()) when reading and matching ended}. onProgress(fraction 0..1, message); `pause`
 * yields between chunks (checked-fetch.js nextTask). Throws GoodreadsError for a file it cannot read.
 */
async function readAndMatch(bytes, matcher, options) {
  const { name, onProgress = () => {}, pause, now = () => performance.now() } = options;
  // Reading is most of the work (0..80%), matching the rest; both in short tasks.
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
