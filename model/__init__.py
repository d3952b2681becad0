"""Shelf's training stage: data -> Keras models -> evaluation -> Keras + TF.js export.

The only package of the project that imports TensorFlow. Its modules, by what they do (each
named once here; tests/test_layout.py keeps the list whole):

    data          download, release, data, split, readers, sampling, synthetic, popularity
    fitting       train (the command), fit, config, tables, low_rank, layers, stars, choose,
                  choose_split, choose_readers, choose_shown
    evaluation    evaluate (the command), baselines, protocols, metrics, eval_report, shown,
                  shown_eval
    export        export, metadata, layout, shards, precision, parity, series, atomic
    ranking       scoring, ranking, discovery, recommend (the batch command), goodreads,
                  goodreads_csv
"""

import os

# Keras 2 (the tf_keras package) for every `tf.keras` in this package: since TensorFlow 2.16
# `tf.keras` is Keras 3 unless this is set, and the TF.js converter (tensorflowjs 4.22) saves
# and converts Keras 2 models. TensorFlow reads it when `tf.keras` is first used, so it is set
# here, before any module of the package touches it.
os.environ["TF_USE_LEGACY_KERAS"] = "1"

# TensorFlow's C++ start-up lines (oneDNN, CUDA stubs, CPU features, TensorRT) bury a command's
# own messages on stderr. Every CLI reaches TensorFlow through this package, so this runs first.
# An explicit TF_CPP_MIN_LOG_LEVEL wins: TF_CPP_MIN_LOG_LEVEL=0 (or model.recommend's --verbose)
# shows them.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
# TF-DF (imported by the TF.js converter) prints an advert for its successor on import.
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")


def show_tensorflow_logs() -> None:
    """Let TensorFlow log everything (``--verbose``); call before TensorFlow is imported."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"


def import_tensorflow():
    """Import TensorFlow and return it, without its C++ start-up lines on stderr.

    Since TensorFlow 2.16 some of them (plugin registration, "All log messages before
    absl::InitializeLog()") are written before TF_CPP_MIN_LOG_LEVEL is read, so unless the
    user asked for the logs, file descriptor 2 points at /dev/null while the import runs.
    Python caches the module: every later ``import tensorflow`` is silent anyway.
    """
    import sys

    if "tensorflow" in sys.modules or os.environ.get("TF_CPP_MIN_LOG_LEVEL") == "0":
        import tensorflow

        return tensorflow
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return tensorflow
