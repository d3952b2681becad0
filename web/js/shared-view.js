// A friend's list opened from a link is shown as someone else's list (state.viewing) until the
// visitor chooses: add it to their shelf, make it their shelf, or go back to their own. Each
// choice is a shelf change like a pick (saved, then shown).
import { mergeShelves } from "./shelf-edits.js";

/** calls: {shelfChanged(shelf, options), forgetImport(), ui: ui.js's (sharedView, shelfNote, shareStatus)}. */
export function createSharedView(state, calls) {
  /** The visitor chose: `shelf` becomes their shelf (saved; replace: as it is), and the shared list's banner goes. */
  function leave(shelf, message, { replace = false } = {}) {
    const next = { picks: new Map(shelf.picks), marks: new Map(shelf.marks), discovery: state.discovery };
    // The change is made from the own shelf; its discovery setting too unless the list replaces it.
    ({ picks: state.picks, marks: state.marks, discovery: state.discovery } = state.viewing.own);
    if (!replace) next.discovery = state.discovery;
    state.viewing = null;
    calls.forgetImport();
    calls.ui.sharedView(null);
    calls.ui.shelfNote(message);
    calls.shelfChanged(next, { replace });
  }

  return {
    add: () => leave(mergeShelves(state.viewing.own, state), "The shared list was added to your shelf."),
    replace: () => leave(state, "This list is your shelf now.", { replace: true }),
    back: () => leave(state.viewing.own, ""),
    /** The Share button: the link copied, or how to copy it by hand. */
    async copyLink(href) {
      try {
        await navigator.clipboard.writeText(href);
        calls.ui.shareStatus("Link copied.");
      } catch {
        calls.ui.shareStatus("Copy the address bar to share this list.");
      }
    },
    /** An import is the visitor's own library: it goes into their own shelf, not a shared list. */
    ownShelfFor: () => state.viewing !== null && leave(state.viewing.own, "Your own shelf is shown again for the import."),
  };
}
