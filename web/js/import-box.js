// The import box's wiring: a chosen Goodreads export read and matched (import-file.js), merged
// into the visitor's own shelf (shelf-edits.js), and its one-click Undo. The page's DOM only
// through ui-import.js; the shelf, the catalogue and the match index's download through `page`.
import { GoodreadsError } from "./goodreads.js";
import { readFile } from "./import-file.js";
import { NewBuildError } from "./checked-fetch.js";
import { importMessage, mergeImport, undoImport } from "./shelf-edits.js";
import { createImportUi } from "./ui-import.js";

const NEWER_BUILD =
  "Shelf was updated since this page was opened, so this page's catalogue no longer matches the " +
  "server's. Reload the page (your shelf is kept), then import the file again.";

/**
 * page: {
 *   ownShelf(): show the visitor's own shelf if a shared list is shown (an import is theirs);
 *   untilCatalogue(): null when the catalogue is in, else a function whose promise resolves once it is;
 *   matcher(): a promise of the match index (goodreads.js matchIndex);
 *   shelf(): {picks, marks}; rowOf(): the catalogue's Map book_id -> row (the books it may add);
 *   shelfChanged(shelf, options): keep, save and show this shelf (main.js);
 *   newBuildMet(): a file of a newer build was met;
 *   stats: the page's stats (importCount, lastImport: {rows, readMs, parseMs, matchMs, totalMs})
 * }
 * Returns {enable(), forget()}: forget when the shelf was replaced or cleared (nothing to undo).
 */
export function createImportBox(root, page) {
  const importUi = createImportUi(root, { onFile: importFile, onUndo: undo });
  let importing = false;
  let lastImport = null; // what the last import added, for Undo (shelf-edits.js mergeImport's `added`)

  /**
   * Read, check and match the whole file first; only then merge it into the shelf, so a bad
   * file changes nothing. Existing picks and marks win over the file's; a rated book replaces a
   * mark (Undo puts it back).
   */
  async function importFile(file) {
    if (importing) return;
    importing = true;
    try {
      const imported = await readFile(file, {
        untilCatalogue: page.untilCatalogue(),
        matcher: page.matcher,
        onProgress: (fraction, message) => importUi.progress(fraction, message),
      });
      // After the file is read: a shared list opened meanwhile (the catalogue came) is left now.
      page.ownShelf();
      const { shelf, added } = mergeImport(page.shelf(), imported.shelf, page.rowOf());
      lastImport = added;
      const { stats } = page;
      stats.importCount += 1;
      const totalMs = performance.now() - imported.started;
      stats.lastImport = { rows: imported.rows.length, ...imported.times, totalMs };
      importUi.done(importMessage(imported.summary, added), imported.summary.unmatched);
      page.shelfChanged(shelf, { yieldFirst: true });
    } catch (error) {
      if (error instanceof NewBuildError) {
        page.newBuildMet();
        importUi.error(NEWER_BUILD);
        return;
      }
      if (!(error instanceof GoodreadsError) && !(error instanceof Error && error.name === "LoadError")) {
        console.error(error);
      }
      importUi.error(error.message || String(error));
    } finally {
      importing = false;
    }
  }

  /** One click takes back what the last import added (later changes to other books stay). */
  function undo() {
    const added = lastImport;
    if (!added) return;
    lastImport = null;
    importUi.reset("The import was undone.");
    page.shelfChanged(undoImport(page.shelf(), added));
  }

  return {
    enable: () => importUi.enable(),
    forget() {
      lastImport = null;
      importUi.reset();
    },
  };
}
