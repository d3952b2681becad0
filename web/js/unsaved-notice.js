// The notice shown once when the shelf could not be saved in this browser (localStorage full
// or turned off): it says so and offers the page's link, which carries the shelf, as a copy.
// The only DOM code of it; main.js calls show() whenever the link changes.

/** `doc`: the page's document (index.html's #unsaved box). */
export function createUnsavedNotice(doc) {
  const box = doc.getElementById("unsaved");
  const link = doc.getElementById("unsaved-link");
  const status = doc.getElementById("unsaved-status");
  doc.getElementById("unsaved-copy").addEventListener("click", async () => {
    link.select();
    try {
      await navigator.clipboard.writeText(link.value);
      status.textContent = "Link copied.";
    } catch {
      status.textContent = "Copy the selected link.";
    }
  });
  return {
    /** Show the notice (it stays) with `href`, the page's link now. */
    show(href) {
      if (link.value !== href) status.textContent = "";
      link.value = href;
      box.hidden = false;
    },
  };
}
