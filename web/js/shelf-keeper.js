// The entry page's shelf kept in step with localStorage and the other tabs: opened once at the
// start (before any download, so saved picks show at once), each change the visitor makes
// saved as operations re-applied onto what is stored now (shelf-sync.js), another tab's
// changes taken in through the `storage` event. The decisions are the pure modules'
// (shelf-open.js, shelf-sync.js); this module holds the page state's shelf fields and does the
// storage calls (shelf-storage.js).
import { catalogueShelf, knownShelf, linkedShelf } from "./shelf-open.js";
import { SHELF_KEYS, ownLinks, readShelf, saveChanges } from "./shelf-storage.js";
import { changesOf, replaceWith, sameShelf } from "./shelf-sync.js";

/**
 * `state`: main.js's page state (picks, marks, discovery, viewing, site, rowOf); `options()`:
 * the star range; `on`: {unsaved() (a save failed: the first time, the page says so),
 * otherTab() (another tab changed the shelf: state holds the merged one, to show)}.
 */
export function createShelfKeeper(state, options, on) {
  let problem = null; // what was wrong with the link the page opened
  let unsaved = false; // the last save failed: this tab's shelf is the visitor's newest

  /** The shelf as this tab shows it: cut to the catalogue once it is in (books it lacks stay saved). */
  function shown(stored) {
    if (state.site === null) return { picks: stored.picks, marks: stored.marks, discovery: stored.discovery };
    return knownShelf(stored, options(), state.rowOf);
  }

  function show(shelf) {
    ({ picks: state.picks, marks: state.marks } = shelf);
    state.discovery = shelf.discovery ?? state.discovery;
  }

  /** Save `changes` onto the stored shelf; then show the merged shelf (other tabs' changes too). */
  function save(changes) {
    if (changes.length === 0) return;
    const result = saveChanges(changes, options());
    if (!result.saved) {
      if (!unsaved) on.unsaved();
      unsaved = true;
      return;
    }
    unsaved = false;
    const merged = shown(result.stored);
    if (!sameShelf(merged, state)) show(merged);
  }

  /** Open the shelf of the page at `href`: the saved one, or a link's list (shown beside it). */
  function open(href, historyState) {
    const stored = readShelf(options());
    const opened = linkedShelf(href, stored, options(), ownLinks(historyState));
    problem = opened.problem;
    show(opened);
    state.viewing = opened.viewing ? { own: shown(stored) } : null;
    // Nothing saved here, or the visitor's own newer link (storage could not keep it): save it.
    if (!opened.viewing && !sameShelf(opened, stored)) save(replaceWith(opened));
  }

  /** The visitor changed the shelf to `next` ({picks, marks}; replace: Clear, a shared list's Replace). */
  function change(next, { replace = false } = {}) {
    const changes = replace ? replaceWith({ discovery: state.discovery, ...next }) : changesOf(state, { discovery: state.discovery, ...next });
    show(next);
    if (state.viewing === null) save(changes); // never a shared list over the visitor's own
  }

  /** A `storage` event: another tab wrote. True when this tab's shelf (or the own one kept aside) changed. */
  function otherTab(event) {
    if (event.key !== null && !SHELF_KEYS.includes(event.key)) return false;
    if (unsaved) return false; // this tab's shelf is the newest: its next save merges both
    const stored = shown(readShelf(options()));
    if (state.viewing !== null) {
      state.viewing = { own: stored };
      return true;
    }
    if (sameShelf(stored, state)) return false;
    show(stored);
    return true;
  }

  /** The catalogue is in: the shelf cut to it. Returns {note, leftView: a shared list naming no book was dropped}. */
  function catalogueIn() {
    const viewing = state.viewing !== null;
    const stored = readShelf(options());
    const opened = catalogueShelf({ shown: state, viewing, stored, unsaved, problem, options: options(), rowOf: state.rowOf });
    show(opened);
    state.viewing = opened.own ? { own: opened.own } : null;
    return { note: opened.note, leftView: viewing && opened.own === null };
  }

  window.addEventListener("storage", (event) => {
    if (otherTab(event)) on.otherTab();
  });
  return { open, change, catalogueIn, unsaved: () => unsaved };
}
