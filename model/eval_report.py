"""eval.md's text from model.evaluate's rows (ranking, stars and their metadata)."""

from __future__ import annotations

import json


def markdown_report(ranking: list[dict], stars: list[dict], meta: dict) -> str:
    choices = meta.get("choices", {})
    readers = [r for r in ranking if r["protocol"].startswith("real readers")]
    split_rows = [r for r in ranking if not r["protocol"].startswith("real readers")]
    chosen_on = choices.get("chosen_on", "split")
    lines = [
        "Numbers from the split fit (`split/model.keras`: the training users' 80% and their "
        "to-read marks, if any"
        + (", and the real readers it learns from" if chosen_on == "real readers" else "")
        + f"; every setting chosen on {'validation users' if chosen_on == 'split' else chosen_on}), "
        "on people it never saw. The site ships the same design refitted on every rating, mark "
        f"and real reader with the same choices (`model.keras`): {json.dumps(choices)}.",
    ]
    if readers:
        lines += [
            "",
            "### Real readers (the report half: nothing was fitted or chosen on them)",
            "",
            "| protocol | model | readers | Recall@10 | NDCG@10 |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {r['protocol'][len('real readers, ') :]} | {r['model']} | {r['visitors']} "
            f"| {r['recall@10']:.4f} | {r['ndcg@10']:.4f} |"
            for r in readers
        ]
    lines += [
        "",
        "### This copy's split (held-out goodbooks users"
        + ("; sampled per book, not like visitors)" if meta.get("release") == "first" else ")"),
        "",
        "| picks | model | visitors | Recall@10 | NDCG@10 | weighted Recall@10 |",
        "|---|---|---|---|---|---|",
    ]
    for r in split_rows:
        weighted = f"{r['weighted_recall@10']:.4f}" if "weighted_recall@10" in r else "-"
        lines.append(
            f"| {r['protocol']} | {r['model']} | {r['visitors']} | {r['recall@10']:.4f} "
            f"| {r['ndcg@10']:.4f} | {weighted} |"
        )
    if meta.get("margins"):
        lines += ["", "Shelf minus the best anchor (weighted Recall@10 for real traffic):"]
        lines += [f"- {protocol}: {value:+.4f}" for protocol, value in meta["margins"].items()]
    lines += [
        "",
        "### Star prediction (RMSE, lower is better)",
        "",
        "| task | model | RMSE |",
        "|---|---|---|",
    ]
    lines += [f"| {r['task']} | {r['model']} | {r['rmse']:.4f} |" for r in stars]
    lines += [
        "",
        f"Model download: {meta['model_bytes'] / 1e6:.2f} MB (TF.js weights + model.json, uncompressed).",
    ]
    return "\n".join(lines) + "\n"
