"""Shelf's training stage: data -> Keras models -> evaluation -> Keras + TF.js export.

The only package of the project that imports TensorFlow.
"""
