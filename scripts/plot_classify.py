#!/usr/bin/env python3
"""Classification accuracy by shared weight, overall and per digit (the paper's MNIST figure).

    python scripts/plot_classify.py runs/mnist.h5 --out plots/ [--title T] [--run RUN]

Reads the newest result stored by `wann classify` for each genome (through wann_h5.py): left,
test accuracy against the weight with the ensemble and tuned-weight accuracies marked and the
random-weight mean +- std as a band; right, accuracy on each digit against the weight.
Writes DIR/classify.png and DIR/classify.pdf.
"""
from __future__ import annotations

import numpy as np

import plotting
from plotting import plt


def main():
    args = plotting.parser(__doc__.splitlines()[0]).parse_args()
    runs = plotting.open_runs(args.archive, args.run)
    results = []
    for name, run in runs:
        with run:
            results += [(name, r) for r in run.classification()]
    if not results:
        plotting.fail(f"{args.archive} holds no classification results: run `wann classify {args.archive}#champion` first")
    name, r = results[-1]
    w = r["weights"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.plot(w, 100 * r["accuracy"], color="black", lw=1.8, label="test accuracy at the weight")
    left.plot(w, 100 * r["train_accuracy"], color="0.5", lw=1.0, ls="--", label="training accuracy")
    m, s = 100 * r["random_mean_accuracy"], 100 * r["random_std_accuracy"]
    left.axhspan(m - s, m + s, color="tab:blue", alpha=0.12, label=f"random weight U(-2,2): {m:.1f}% +- {s:.1f}%")
    left.axhline(100 * r["ensemble_accuracy"], color="tab:green", lw=1.2, label=f"ensemble of weights: {100 * r['ensemble_accuracy']:.1f}%")
    left.plot([r["tuned_weight"]], [100 * r["tuned_test_accuracy"]], "o", color="tab:red",
              label=f"tuned weight {r['tuned_weight']:.2f}: {100 * r['tuned_test_accuracy']:.1f}%")
    left.set_xlabel("shared weight")
    left.set_ylabel("accuracy (%)")
    left.set_title(f"genome {r['generation']}/{r['index']}, {r['test_images']} test images")
    left.grid(alpha=0.3)
    left.legend(fontsize=7, loc="lower center")
    cmap = plt.get_cmap("tab10")
    for d in range(10):
        right.plot(w, 100 * r["per_digit"][:, d], color=cmap(d), lw=1.2, label=str(d))
    right.set_xlabel("shared weight")
    right.set_ylabel("accuracy on the digit (%)")
    right.set_title("per digit")
    right.grid(alpha=0.3)
    right.legend(title="digit", fontsize=7, ncol=2)
    fig.suptitle(args.title or "Classification accuracy by shared weight")
    plotting.save(fig, args.out, "classify")


if __name__ == "__main__":
    main()
