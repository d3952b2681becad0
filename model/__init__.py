"""Shelf's training stage: data -> Keras models -> evaluation -> Keras + TF.js export.

The only package of the project that imports TensorFlow.
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


def show_tensorflow_logs() -> None:
    """Let TensorFlow log everything (``--verbose``); call before TensorFlow is imported."""
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "0"
