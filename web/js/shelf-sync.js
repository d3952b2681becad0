// Tabs that agree: a change to the shelf is an operation (pick, unpick, star, mark, unmark,
// clear, replace, discovery), re-applied onto the shelf as storage holds it now, so that two
// tabs (or the map page beside the main page) never undo each other, and books this tab does
// not show (ids the catalogue does not know) are never dropped by it. Pure: no DOM, no storage.
// A shelf here: {picks: Map book_id -> stars in pick order, marks: Map book_id -> mark, discovery}.

/**
 * The operations that turn `before` into `after` (one change the visitor made in this tab):
 * [{op, bookId, stars | mark | after}]. A new mark carries `after`, the mark before it in
 * `after.marks` (null: first), so that re-applied it lands where it was (an import's Undo).
 */
export function changesOf(before, after) {
  const changes = [];
  for (const bookId of before.picks.keys()) if (!after.picks.has(bookId)) changes.push({ op: "unpick", bookId });
  for (const bookId of before.marks.keys()) if (!after.marks.has(bookId)) changes.push({ op: "unmark", bookId });
  for (const [bookId, stars] of after.picks) {
    if (!before.picks.has(bookId)) changes.push({ op: "pick", bookId, stars });
    else if (before.picks.get(bookId) !== stars) changes.push({ op: "star", bookId, stars });
  }
  let previous = null;
  for (const [bookId, mark] of after.marks) {
    if (before.marks.get(bookId) !== mark) changes.push({ op: "mark", bookId, mark, after: previous });
    previous = bookId;
  }
  if ((after.discovery ?? null) !== (before.discovery ?? null) && after.discovery !== undefined) {
    changes.push({ op: "discovery", value: after.discovery });
  }
  return changes;
}

/**
 * A shelf that replaces the whole stored one (Clear, or a shared list made the visitor's own).
 * `base`: the shelf it replaced, as this tab saw it saved (null: not known). Applied later onto
 * a stored shelf that other tabs changed since (it could not be saved at once, or another tab's
 * write left it out), their changes since `base` are applied after it: a Clear never wipes what
 * another tab saved after it was pressed.
 */
export function replaceWith(shelf, base = null) {
  return [{ op: "replace", shelf, base }];
}

/**
 * `stored` (the shelf as storage holds it now) with `changes` (changesOf, replaceWith) applied:
 * a new copy. A replace with a `base` keeps what other tabs changed since (replaceWith). A pick
 * of a book already picked keeps the stored stars (another tab, or the saved shelf before the
 * catalogue was in, had them first); a star change of a book no longer picked is dropped
 * (another tab took it off); a new mark goes after the mark it followed here.
 */
export function applyChanges(stored, changes) {
  let picks = new Map(stored.picks);
  let marks = new Map(stored.marks);
  let discovery = stored.discovery;
  const placed = new Map(); // book_id of a mark -> the new marks to put after it
  for (const change of changes) {
    const { op, bookId } = change;
    if (op === "replace") {
      // Other tabs' changes after it: the shelf as it stands here (stored, with this list's
      // changes before the replace, this tab's own) against the one it replaced.
      const since = change.base ? changesOf(change.base, { picks, marks, discovery }) : [];
      const replaced = { picks: change.shelf.picks, marks: change.shelf.marks, discovery: change.shelf.discovery ?? discovery };
      ({ picks, marks, discovery } = applyChanges(replaced, since));
      placed.clear();
    } else if (op === "pick") {
      if (!picks.has(bookId)) picks.set(bookId, change.stars);
      marks.delete(bookId);
    } else if (op === "unpick") picks.delete(bookId);
    else if (op === "star") {
      if (picks.has(bookId)) picks.set(bookId, change.stars);
    } else if (op === "mark") {
      // The newest change wins, as in one tab (shelf-edits.js): a marked book is never also picked.
      picks.delete(bookId);
      marks.delete(bookId);
      marks.set(bookId, change.mark);
      const anchor = change.after ?? null;
      if (!placed.has(anchor)) placed.set(anchor, []);
      placed.get(anchor).push(bookId);
    } else if (op === "unmark") marks.delete(bookId);
    else if (op === "discovery") discovery = change.value;
  }
  return { picks, marks: placed.size ? placeMarks(marks, placed) : marks, discovery };
}

/** `marks` in their order, with each placed mark moved after the mark it followed (if still there). */
function placeMarks(marks, placed) {
  const moved = new Set([...placed.values()].flat().filter((bookId) => marks.has(bookId)));
  const ordered = new Map();
  // Iterative, not recursive: an import's thousands of marks each follow the one before.
  const put = (first) => {
    const stack = [first];
    while (stack.length) {
      const bookId = stack.pop();
      if (ordered.has(bookId) || !marks.has(bookId)) continue;
      ordered.set(bookId, marks.get(bookId));
      stack.push(...(placed.get(bookId) ?? []).toReversed());
    }
  };
  for (const bookId of placed.get(null) ?? []) put(bookId);
  for (const bookId of marks.keys()) if (!moved.has(bookId)) put(bookId);
  for (const bookId of moved) put(bookId); // the mark it followed is gone: at the end
  return ordered;
}

/** Whether two shelves hold the same books, stars, marks and discovery, in the same order. */
export function sameShelf(a, b) {
  const same = (x, y) => x.size === y.size && [...x.keys()].join() === [...y.keys()].join() && [...x].every(([k, v]) => y.get(k) === v);
  return same(a.picks, b.picks) && same(a.marks, b.marks) && (a.discovery ?? null) === (b.discovery ?? null);
}
