#!/usr/bin/env python3
"""Trains 784-512-512-512 on 5 Fashion-MNIST classes with neurogeom's own trainer and
records the wall time and the held-out accuracy (docs/performance-nets.md).

Usage: PYTHONPATH=build/python /usr/bin/python3 bench/figures/train_fashion_mnist.py \
           [--per-class 1000] [--epochs 10] [--threads 2] [--seed 0]
"""

import argparse
import os
import platform
import time

import numpy as np

import neurogeom as ng


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--classes", default="0,1,2,3,4")
    parser.add_argument("--learning-rate", type=float, default=None)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    classes = [int(c) for c in args.classes.split(",")]

    X_train, y_train = ng.load_fashion_mnist(split="train", max_per_class=args.per_class)
    X_test, y_test = ng.load_fashion_mnist(split="test", max_per_class=0)
    keep = np.isin(y_train, classes)
    X_train, y_train = X_train[keep], np.asarray(y_train)[keep]
    keep = np.isin(y_test, classes)
    X_test, y_test = X_test[keep], np.asarray(y_test)[keep]

    options = dict(hidden_widths=[512, 512, 512], epochs=args.epochs, seed=args.seed, num_threads=args.threads)
    if args.learning_rate is not None:
        options["learning_rate"] = args.learning_rate
    if args.batch_size is not None:
        options["batch_size"] = args.batch_size
    start = time.perf_counter()
    result = ng.train_classifier(X_train, y_train, **options)
    seconds = time.perf_counter() - start
    print(f"neurogeom {ng.__version__}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cpus visible, threads={args.threads}")
    print(f"train: {X_train.shape[0]} images of classes {classes}; test: {X_test.shape[0]} images")
    print(f"784-512-512-512-{len(classes)}, epochs={args.epochs}, options={result.to_dict()['options']}")
    print(f"status {result.status.name}, wall {seconds:.2f} s")
    print("epoch loss     " + " ".join(f"{v:.3f}" for v in result.epoch_loss))
    print("epoch accuracy " + " ".join(f"{v:.3f}" for v in result.epoch_accuracy))
    print(f"train accuracy {ng.accuracy(result.network, X_train, y_train):.4f}")
    print(f"test accuracy  {ng.accuracy(result.network, X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
