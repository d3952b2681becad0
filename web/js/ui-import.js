// The Goodreads import's part of the page: file picker, drag and drop, progress, the summary
// with the titles not in the catalogue, errors and Undo. Touches only its own section of
// index.html (and stops the browser from opening a file dropped anywhere on the page).
// Everything from the file is set as text (textContent), never parsed as HTML.

// Titles not in the catalogue shown at once, and added per "Show more": a 100,000-row export
// listed 90,000 of them in one go, which froze the page.
const UNMATCHED_PAGE = 100;

/** handlers: onFile(File), onUndo(). Returns the functions main.js drives the section with. */
export function createImportUi(root, handlers) {
  const $ = (id) => root.getElementById(id);
  const nodes = {
    section: $("import"),
    drop: $("import-drop"),
    file: $("import-file"),
    progress: $("import-progress"),
    status: $("import-status"),
    unmatched: $("import-unmatched"),
    unmatchedSummary: $("import-unmatched-summary"),
    unmatchedList: $("import-unmatched-list"),
    unmatchedMore: $("import-unmatched-more"),
    undo: $("import-undo"),
  };
  let enabled = false;
  let unmatched = []; // every title not in the catalogue; the list shows the first ones

  /** Append the next UNMATCHED_PAGE titles; the button says how many remain. */
  const showMoreUnmatched = () => {
    const shown = nodes.unmatchedList.children.length;
    nodes.unmatchedList.append(
      ...unmatched.slice(shown, shown + UNMATCHED_PAGE).map((title) => {
        const item = root.createElement("li");
        item.textContent = title || "(no title)";
        return item;
      }),
    );
    const left = unmatched.length - nodes.unmatchedList.children.length;
    nodes.unmatchedMore.hidden = left === 0;
    nodes.unmatchedMore.textContent = `Show ${Math.min(left, UNMATCHED_PAGE)} more (${left.toLocaleString("en-US")} not shown)`;
  };
  nodes.unmatchedMore.addEventListener("click", showMoreUnmatched);
  const take = (files) => {
    if (enabled && files && files.length) handlers.onFile(files[0]);
  };

  nodes.file.addEventListener("change", () => {
    take(nodes.file.files);
    nodes.file.value = ""; // the same file again is a new import
  });
  // A file dropped anywhere would make the browser open it and leave the page: import it instead.
  const doc = root.documentElement;
  doc.addEventListener("dragover", (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = enabled ? "copy" : "none";
    nodes.drop.classList.toggle("dragging", enabled);
  });
  doc.addEventListener("dragleave", (event) => {
    if (event.target === doc || !doc.contains(event.relatedTarget)) nodes.drop.classList.remove("dragging");
  });
  doc.addEventListener("drop", (event) => {
    if (![...(event.dataTransfer?.types ?? [])].includes("Files")) return;
    event.preventDefault();
    nodes.drop.classList.remove("dragging");
    take(event.dataTransfer.files);
  });
  nodes.undo.addEventListener("click", () => handlers.onUndo());

  const say = (message, kind) => {
    nodes.status.textContent = message;
    nodes.status.dataset.kind = kind;
    nodes.section.dataset.state = kind;
  };

  return {
    /** The picker works once the model is ready. */
    enable() {
      enabled = true;
      nodes.file.disabled = false;
    },

    /** Reading: a 0..1 bar and what is going on. */
    progress(fraction, message) {
      nodes.progress.hidden = false;
      nodes.progress.value = fraction;
      nodes.file.disabled = true;
      say(`${message} ${Math.round(fraction * 100)}%`, "busy");
    },

    /** A file that could not be imported: the message says which row and what is wrong. */
    error(message) {
      nodes.progress.hidden = true;
      nodes.file.disabled = false;
      say(`Nothing was imported: ${message.replace(/ Nothing was imported\.$/, "")}`, "error");
    },

    /** Imported: the summary sentence, the titles not in the catalogue, and Undo. */
    done(message, unmatchedTitles) {
      nodes.progress.hidden = true;
      nodes.file.disabled = false;
      say(message, "done");
      const count = unmatchedTitles.length;
      nodes.unmatched.hidden = count === 0;
      nodes.unmatched.open = false;
      nodes.unmatchedSummary.textContent = `${count.toLocaleString("en-US")} not in the catalogue`;
      unmatched = unmatchedTitles;
      nodes.unmatchedList.replaceChildren();
      showMoreUnmatched();
      nodes.undo.hidden = false;
    },

    /** After Undo (or Clear): back to the picker alone, with a last word. */
    reset(message = "") {
      nodes.progress.hidden = true;
      nodes.unmatched.hidden = true;
      unmatched = [];
      nodes.unmatchedList.replaceChildren();
      nodes.unmatchedMore.hidden = true;
      nodes.undo.hidden = true;
      say(message, message ? "done" : "");
    },
  };
}
