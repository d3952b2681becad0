// The entry page's shelf kept in step with localStorage and the other tabs: opened once at the
// start (before any download, so saved picks show at once), each change the visitor makes
// saved as operations re-applied onto what is stored now (shelf-sync.js), another tab's
// changes taken in through the `storage` event. The decisions are the pure modules'
// (shelf-open.js, shelf-sync.js); this module holds the page state's shelf fields and does the
// storage calls (shelf-storage.js).
import { shareShelf, urlWithShelf } from "./shelf-link.js";
import { catalogueShelf, knownShelf, linkedShelf } from "./shelf-open.js";
import { SHELF_KEYS, createShelfSaver, ownLinks, readShelf, rememberOwnLink } from "./shelf-storage.js";
import { applyChanges, changesOf, replaceWith, sameShelf } from "./shelf-sync.js";

/**
 * `state`: main.js's page state (picks, marks, discovery, viewing, site, rowOf); `options()`:
 * the star range; `on`: {unsaved() (a save failed: the first time, the page says so),
 * otherTab() (another tab changed the shelf: state holds the merged one, to show)}.
 */
export function createShelfKeeper(state, options, on) {
  let problem = null; // what was wrong with the link the page opened
  let unknown = false; // the saved shelf holds books the catalogue lacks (addressParam)
  const saver = createShelfSaver(options); // this tab's operations not saved yet, kept until they are

  /** The shelf as this tab shows it: cut to the catalogue once it is in (books it lacks stay saved). */
  function shown(stored) {
    if (state.site === null) return { picks: stored.picks, marks: stored.marks, discovery: stored.discovery };
    return knownShelf(stored, options(), state.rowOf);
  }

  function show(shelf) {
    ({ picks: state.picks, marks: state.marks } = shelf);
    state.discovery = shelf.discovery ?? state.discovery;
  }

  /** Save `changes` (with any not saved before) onto the stored shelf; show the merged shelf, saved or not. */
  function save(changes) {
    if (changes.length === 0) return;
    const wasUnsaved = saver.unsaved();
    const result = saver.save(changes);
    if (!result.saved && !wasUnsaved) on.unsaved();
    const merged = shown(result.stored);
    if (!sameShelf(merged, state)) show(merged);
  }

  /** Open the shelf of the page at `href`: the saved one, or a link's list (shown beside it). */
  function open(href, historyState) {
    const stored = readShelf(options());
    const opened = linkedShelf(href, stored, options(), ownLinks(historyState));
    // A damaged link's note, not shown yet when the page was reloaded (it waits for the catalogue).
    const unshown = !opened.viewing && typeof historyState?.problem === "string" ? historyState.problem : null;
    problem = opened.problem ?? unshown;
    show(opened);
    state.viewing = opened.viewing ? { own: shown(stored) } : null;
    if (opened.pending.length > 0) save(opened.pending); // this tab's own link: what it could not save
    // Nothing saved here: the link's list is the visitor's (added, never a replace).
    else if (!opened.viewing) save(changesOf(stored, opened));
    state.opensShelf = state.picks.size > 0 || state.marks.size > 0; // as shown once saved
  }

  /** The visitor changed the shelf to `next` ({picks, marks}; replace: Clear, a shared list's Replace). */
  function change(next, { replace = false } = {}) {
    const changes = replace
      ? replaceWith({ discovery: state.discovery, ...next }, replaced())
      : changesOf(state, { discovery: state.discovery, ...next });
    show(next);
    if (state.viewing === null) save(changes); // never a shared list over the visitor's own
  }

  /** A `storage` event: another tab wrote. True when this tab's shelf (or the own one kept aside) changed. */
  function otherTab(event) {
    if (event.key !== null && !SHELF_KEYS.includes(event.key)) return false;
    const wasUnsaved = saver.unsaved();
    const whole = saver.storageChanged().stored; // this tab's unsaved or lost changes re-applied
    if (state.site !== null) unknown = lacks(whole);
    const stored = shown(whole);
    if (state.viewing !== null) {
      state.viewing = { own: stored };
      return true;
    }
    if (sameShelf(stored, state) && wasUnsaved === saver.unsaved()) return false;
    show(stored);
    return true; // shown, and its link (linkState) rewritten
  }

  /** The catalogue is in: the shelf cut to it. Returns {note, leftView: a shared list naming no book was dropped}. */
  function catalogueIn() {
    const viewing = state.viewing !== null;
    const saved = readShelf(options()); // as storage holds it: the note tells its unknown books from the unsaved ones
    const stored = savedWithPending(saved);
    const opened = catalogueShelf({ shown: state, viewing, stored, saved, problem, options: options(), rowOf: state.rowOf });
    unknown = lacks(stored);
    problem = null; // said now (opened.note)
    show(opened);
    state.viewing = opened.own ? { own: opened.own } : null;
    return { note: opened.note, leftView: viewing && opened.own === null };
  }

  /**
   * history.state for the page's address carrying `param` (the shown shelf's ?shelf= value):
   * marked as this tab's own link only while its own shelf is shown, with the operations not
   * saved yet, so that reopened it is never taken for someone else's list nor for a newer shelf.
   */
  function linkState(param) {
    if (state.viewing !== null) return { shelf: param, own: false };
    const link = { shelf: param, own: true, pending: saver.pending(), ...(problem ? { problem } : {}) };
    rememberOwnLink(link);
    return link;
  }

  /** What a Clear or Replace replaces: the saved shelf with what this tab could not save ({picks, marks, discovery}). */
  function replaced() {
    const { picks, marks, discovery } = savedWithPending();
    return { picks, marks, discovery };
  }

  /** The saved shelf (read now unless given) with what this tab could not save applied. */
  function savedWithPending(saved = readShelf(options())) {
    return { ...saved, ...applyChanges(saved, saver.pending()) };
  }

  /** Whether `shelf` holds books the catalogue lacks. */
  function lacks(shelf) {
    return [...shelf.picks.keys(), ...shelf.marks.keys()].some((bookId) => !state.rowOf.has(bookId));
  }

  /**
   * The ?shelf= value of the page's address for the shown shelf's `param`: the own shelf's
   * books this catalogue lacks are not shown, but the address carries them (the saved shelf
   * whole, with what this tab could not save) when that fits in one link, so that opened again,
   * in a new tab too, it is the visitor's own shelf and not someone else's list. A shelf too
   * big for that keeps the shown shelf's link (history.state still marks it as the tab's own).
   */
  function addressParam(param) {
    if (!unknown || state.viewing !== null || state.site === null) return param;
    const stored = savedWithPending();
    const whole = shareShelf(stored.picks, stored.marks, { discovery: state.discovery });
    return whole.part ? param : whole.param;
  }

  /** The link the visitor shares (Copy link): the shelf as shown, never books it lacks. */
  function shareHref() {
    const { param } = shareShelf(state.picks, state.marks, { discovery: state.discovery });
    return urlWithShelf(location.href, param);
  }

  /**
   * The page's address and history.state for the shown shelf's `param`, written at each change,
   * before the catalogue is in too (it may be slow or never come), so that a reload re-applies
   * no change undone since, nor takes the visitor's own shelf for the link the page opened.
   */
  function writeAddress(param) {
    const address = addressParam(param);
    history.replaceState(linkState(address), "", urlWithShelf(location.href, address));
  }

  window.addEventListener("storage", (event) => {
    if (otherTab(event)) on.otherTab();
  });
  return { open, change, catalogueIn, linkState, addressParam, writeAddress, shareHref, unsaved: () => saver.unsaved() };
}
