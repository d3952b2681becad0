"""The link models' quality report: ``links/report.json`` and ``links/report.md``.

Per source, the held-out AUC and label agreement measured while training
(``explorer.links.fit_and_save``); the rating model's agreement for comparison, when it is
built; and example queries. numpy only.
"""

from __future__ import annotations

import logging
from pathlib import Path

from explorer.metrics import author_agreement, label_agreement
from explorer.pairs import TAGS, WIKIPEDIA, LinkResult, Pairs
from explorer.queries import similar_books, similar_links, similar_to_author
from explorer.vectors import ExploreError, MissingArtifact, Space, load_book_embeddings, top_k_neighbors
from explorer.wikipedia import ParseReport

log = logging.getLogger(__name__)

# Report examples; a name missing from a source (e.g. War and Peace in the 1,413-book
# Wikipedia sample) is skipped.
EXAMPLE_BOOKS = {
    TAGS: ("The Hobbit", "War and Peace", "The Blank Slate: The Modern Denial of Human Nature"),
    WIKIPEDIA: ("War and Peace", "Jaws (novel)", "The Sea of Monsters", "The Dawkins Delusion?"),
}
EXAMPLE_LINKS = {
    TAGS: ("vampires", "dystopia", "philosophy"),
    WIKIPEDIA: ("steven pinker", "science fiction", "h. p. lovecraft"),
}
EXAMPLE_AUTHORS = {TAGS: ("Steven Pinker",), WIKIPEDIA: ("Steven Pinker",)}


def quality_report(results: dict[str, LinkResult], parse_report: ParseReport | None, artifacts: Path) -> dict:
    """Metrics per source, the rating model's author agreement when it exists, and examples."""
    report = {"sources": {name: r.metrics for name, r in results.items()}, "examples": {}}
    if parse_report is not None:
        report["wikipedia_parse"] = {
            "file": parse_report.path,
            "lines": parse_report.lines,
            "books": parse_report.books,
            "empty_link_lists": parse_report.empty_link_lists,
            "malformed_lines": len(parse_report.bad_lines),
            "first_malformed": [{"line": n, "reason": why} for n, why in parse_report.bad_lines[:20]],
        }
    try:
        report["rating_model"] = rating_model_agreement(artifacts, results[TAGS].pairs)
    except MissingArtifact as err:
        log.info("skipping the rating-model comparison: %s", err)
    except ExploreError as err:
        log.warning("skipping the rating-model comparison: %s", err)
    for name, r in results.items():
        report["examples"][name] = examples(name, r)
    return report


def examples(name: str, r: LinkResult) -> dict[str, list[str]]:
    """The report's example queries (EXAMPLE_BOOKS, _LINKS, _AUTHORS) on one link model."""
    p = r.pairs
    space = Space(name, r.book_vecs, p.titles, p.authors, p.book_keys, r.link_vecs, p.link_names)
    found = {}
    for title in EXAMPLE_BOOKS.get(name, ()):
        try:
            row, hits = similar_books(space, title, 8)
            found[p.titles[row]] = [p.titles[j] for j, _ in hits]
        except ExploreError:
            log.info("%s: no book titled %r for the report's examples", name, title)
    for link in EXAMPLE_LINKS.get(name, ()):
        try:
            row, hits = similar_links(space, link, 8)
            found[f"link: {p.link_names[row]}"] = [p.link_names[j] for j, _ in hits]
        except ExploreError:
            log.info("%s: no link %r for the report's examples", name, link)
    for author in EXAMPLE_AUTHORS.get(name, ()):
        try:
            _, hits = similar_to_author(space, author, 8)
            found[f"author: {author}"] = [f"{p.titles[j]} ({p.authors[j]})" for j, _ in hits]
        except ExploreError:
            log.info("%s: no author %r for the report's examples", name, author)
    return found


def rating_model_agreement(artifacts: Path, pairs: Pairs) -> dict:
    """Author and genre agreement of the rating model's book vectors (labels from ``pairs``)."""
    rating = load_book_embeddings(artifacts)
    vecs, book_ids = rating.vecs, rating.book_ids
    author_of = dict(zip(pairs.book_keys, pairs.authors, strict=True))
    genre_of = dict(zip(pairs.book_keys, pairs.genres, strict=True))
    neighbors = top_k_neighbors(vecs, 10)
    return {
        "author_agreement": author_agreement(vecs, [author_of.get(b, "") for b in book_ids], 10, neighbors),
        "genre_agreement": label_agreement(vecs, [genre_of.get(b, "") for b in book_ids], 10, neighbors),
    }


def _agreement_lines(metrics: dict) -> list[str]:
    lines = []
    for key, what in (("author_agreement", "first author"), ("genre_agreement", "genre")):
        a = metrics.get(key)
        if a:
            lines.append(
                f"- same {what} among the {a['k']} nearest books: {a['share']:.3f} "
                f"(chance {a['chance']:.4f}, {a['lift']:.1f}x; {a['books']} books)"
            )
    return lines


def report_markdown(report: dict) -> str:
    """A short human-readable version of ``report.json``."""
    lines = ["# Link-embedding quality", ""]
    for name, m in report["sources"].items():
        lines += [f"## {name}", ""]
        lines += [
            f"- {m['books']} books, {m['links']} links, {m['pairs']} pairs, {m['epochs']} epochs, "
            f"{m['train_seconds']} s",
            f"- held-out link prediction AUC ({m['held_out_pairs']} pairs): "
            f"{m['auc_uniform_negatives']} vs uniformly random links "
            f"(popularity baseline {m['popularity_baseline_auc_uniform_negatives']}), "
            f"{m['auc_popularity_negatives']} vs popularity-matched links "
            f"(popularity baseline {m['popularity_baseline_auc_popularity_negatives']})",
        ]
        lines += _agreement_lines(m)
        lines.append("")
    if report.get("rating_model"):
        lines += ["## rating model (book_embeddings.npy), for comparison", ""]
        lines += _agreement_lines(report["rating_model"]) + [""]
    for name, examples_ in report["examples"].items():
        lines += [f"## closest, {name}", ""]
        for query, answers in examples_.items():
            lines.append(f"- **{query}**: " + "; ".join(answers))
        lines.append("")
    if "wikipedia_parse" in report:
        p = report["wikipedia_parse"]
        lines += [
            "## Wikipedia file",
            "",
            f"{p['file']}: {p['books']} books from {p['lines']} lines, {p['malformed_lines']} malformed, "
            f"{p['empty_link_lists']} with no links.",
            "",
        ]
    return "\n".join(lines)
