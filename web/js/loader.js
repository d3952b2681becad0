// Loads what the page needs: metadata.json, books.json and the TF.js model, with progress.
// No DOM here: progress goes to the onProgress(fraction, message) callback.
import * as tf from "../vendor/tf.fesm.min.js";
import "./layers.js"; // registers the model's custom layers with tf.serialization

/** fetch + JSON with an error that names the file and what happened. */
export async function fetchJson(url) {
  // The server marks JSON "no-cache", so this revalidates; it also reuses index.html's preloads.
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

/** The optional content_similar.json (written by the explorer); null when it is absent. */
export async function fetchOptionalJson(url) {
  try {
    const response = await fetch(url, { cache: "no-cache" });
    return response.ok ? await response.json() : null;
  } catch {
    return null;
  }
}

/**
 * Load metadata, catalogue and model. Resolves to {tf, metadata, books, model}.
 * The CPU backend keeps the browser's scores equal to Python's (to ~1e-5).
 */
export async function loadSite({ onProgress = () => {} } = {}) {
  onProgress(0.02, "Loading the catalogue…");
  const [metadata, books] = await Promise.all([fetchJson("metadata.json"), fetchJson("books.json")]);
  if (books.length !== metadata.num_books || metadata.book_ids.length !== metadata.num_books) {
    throw new Error("books.json and metadata.json disagree on the number of books; rebuild the site");
  }
  onProgress(0.25, "Loading the model…");
  await tf.setBackend("cpu");
  await tf.ready();
  const model = await tf.loadLayersModel(metadata.model_url, {
    onProgress: (fraction) => onProgress(0.25 + 0.75 * fraction, "Loading the model…"),
  });
  onProgress(1, "Ready");
  return { tf, metadata, books, model };
}
