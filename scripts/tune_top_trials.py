#!/usr/bin/python3
"""Retrains the K best complete trials of a `gradus tune --study FILE` holdout search on all training rows, as
tune retrains its winner (the trial's settings and seed, `--epochs` its kept epoch), and scores each on test rows:
how well the held-out ranking predicts the test ranking (docs/tune.md). For a classification it then averages
the class probabilities of the best 2..K retrained models and scores each average on the test rows: what an
ensemble of the top trials would give over the single winner that tune writes.

    /usr/bin/python3 scripts/tune_top_trials.py STUDY TRAIN.csv TEST.csv [K] [--task classification] [-- FLAG ...]
    /usr/bin/python3 scripts/tune_top_trials.py STUDY TRAIN.csv TEST.csv K --other-fifths 2

With --other-fifths F (a classification) it instead trains each of the K best trials again on the training rows
less one other stratified fifth (folds 1..F of a 5-fold split, random_state 7), with early stopping on that
fifth's accuracy as the trial had on the search's holdout, and prints the fifth's accuracy and the kept epoch:
how far the search's held-out score of its best trials is from a fresh estimate.

Flags after `--` go to every `gradus train` (e.g. `-- --bias-init zero` for a search whose base had it).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("study")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("k", type=int, nargs="?", default=5)
    ap.add_argument("--task", default="classification")
    ap.add_argument("--other-fifths", type=int, default=0, help="re-score on F other fifths instead (see above)")
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    a = ap.parse_args(argv[:cut])
    extra = argv[cut + 1:]              # flags for every gradus train
    trials = [t for t in json.load(open(a.study))["trials"] if t["state"] == "complete"]
    trials.sort(key=lambda t: (-t["score"], t["number"]))   # accuracy or r2: higher is better
    gradus = os.path.join(ROOT, "gradus")
    if a.other_fifths:
        other_fifths(gradus, trials[:a.k], a.train, a.other_fifths, extra)
        return
    print("| trial | held-out score | test | settings |")
    print("|---|---|---|---|")
    probabilities = []
    with tempfile.TemporaryDirectory() as tmp:
        for t in trials[:a.k]:
            p = t["params"]
            model = os.path.join(tmp, "%d.gradus" % t["number"])
            subprocess.run([gradus, "train", "--data", a.train, "--task", a.task, "--epochs", str(t["best_epoch"]),
                            "--out", model, "--progress", "none"] + trial_flags(p, t["seed"]) + extra,
                           check=True, capture_output=True)
            e = json.loads(subprocess.run([gradus, "evaluate", "--model", model, "--data", a.test, "--json"],
                                          check=True, capture_output=True, text=True).stdout)
            score = e["accuracy"] if a.task == "classification" else e["r2"]
            print("| %d | %.4f | %.4f | %s |" % (t["number"], t["score"], score,
                                                 " ".join("%s=%s" % kv for kv in p.items())), flush=True)
            if a.task == "classification":
                out = os.path.join(tmp, "%d.csv" % t["number"])
                subprocess.run([gradus, "predict", "--model", model, "--data", a.test, "--out", out],
                               check=True, capture_output=True)
                probabilities.append(pd.read_csv(out))
        if len(probabilities) > 1:
            truth = pd.read_csv(a.test)[target_name(a.test)].astype(str).to_numpy()
            classes = np.array([c[2:] for c in probabilities[0].columns if c.startswith("p_")])
            print()
            print("| best trials averaged | test accuracy |")
            print("|---|---|")
            for k in range(2, len(probabilities) + 1):
                mean = sum(f[["p_" + c for c in classes]].to_numpy() for f in probabilities[:k]) / k
                print("| %d | %.4f |" % (k, np.mean(classes[mean.argmax(axis=1)] == truth)), flush=True)


def trial_flags(p, seed):
    """The gradus train flags of a trial's settings and seed."""
    return ["--layers", ",".join([p["width"]] * int(p["depth"])), "--activation", p["activation"], "--lr", p["lr"],
            "--weight-decay", p["weight_decay"], "--batch-size", p["batch_size"], "--dropout", p["dropout"],
            "--seed", str(seed)]


def other_fifths(gradus, trials, train, count, extra):
    from sklearn.model_selection import StratifiedKFold
    rows = pd.read_csv(train)
    folds = list(StratifiedKFold(5, shuffle=True, random_state=7).split(rows, rows.iloc[:, -1]))
    print("| trial | held-out score (kept epoch) | " + " | ".join("fifth %d (kept epoch)" % f
                                                           for f in range(1, count + 1)) + " |")
    print("|---|---|" + "---|" * count)
    with tempfile.TemporaryDirectory() as tmp:
        for f in range(1, count + 1):
            rows.iloc[folds[f][0]].to_csv(os.path.join(tmp, "train%d.csv" % f), index=False)
            rows.iloc[folds[f][1]].to_csv(os.path.join(tmp, "fifth%d.csv" % f), index=False)
        for t in trials:
            cells = ["%d" % t["number"], "%.4f (%d)" % (t["score"], t["best_epoch"])]
            for f in range(1, count + 1):
                model, fifth = os.path.join(tmp, "m.gradus"), os.path.join(tmp, "fifth%d.csv" % f)
                fit = json.loads(subprocess.run(
                    [gradus, "train", "--data", os.path.join(tmp, "train%d.csv" % f), "--validation", fifth,
                     "--task", "classification", "--monitor", "accuracy", "--out", model, "--json",
                     "--progress", "none"] + trial_flags(t["params"], t["seed"]) + extra,
                    check=True, capture_output=True, text=True).stdout)
                e = json.loads(subprocess.run([gradus, "evaluate", "--model", model, "--data", fifth, "--json"],
                                              check=True, capture_output=True, text=True).stdout)
                cells.append("%.4f (%d)" % (e["accuracy"], fit["kept_epoch"]))
            print("| " + " | ".join(cells) + " |", flush=True)


def target_name(test):
    """The test file's target: its last column (the scripts' datasets keep it last)."""
    return pd.read_csv(test, nrows=0).columns[-1]


if __name__ == "__main__":
    main()
