#!/usr/bin/python3
"""Retrains the K best complete trials of a `gradus tune --study FILE` holdout search on all training rows, as
tune retrains its winner (the trial's settings and seed, `--epochs` its kept epoch), and scores each on test rows:
how well the held-out ranking predicts the test ranking (docs/tune.md).

    /usr/bin/python3 scripts/tune_top_trials.py STUDY TRAIN.csv TEST.csv [K] [--task classification]
"""
import argparse
import json
import os
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("study")
    ap.add_argument("train")
    ap.add_argument("test")
    ap.add_argument("k", type=int, nargs="?", default=5)
    ap.add_argument("--task", default="classification")
    a = ap.parse_args()
    trials = [t for t in json.load(open(a.study))["trials"] if t["state"] == "complete"]
    trials.sort(key=lambda t: (-t["score"], t["number"]))   # accuracy or r2: higher is better
    gradus = os.path.join(ROOT, "gradus")
    print("| trial | held-out score | test | settings |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for t in trials[:a.k]:
            p = t["params"]
            model = os.path.join(tmp, "%d.gradus" % t["number"])
            subprocess.run([gradus, "train", "--data", a.train, "--task", a.task,
                            "--layers", ",".join([p["width"]] * int(p["depth"])), "--activation", p["activation"],
                            "--lr", p["lr"], "--weight-decay", p["weight_decay"], "--batch-size", p["batch_size"],
                            "--dropout", p["dropout"], "--seed", str(t["seed"]), "--epochs", str(t["best_epoch"]),
                            "--out", model, "--progress", "none"], check=True, capture_output=True)
            e = json.loads(subprocess.run([gradus, "evaluate", "--model", model, "--data", a.test, "--json"],
                                          check=True, capture_output=True, text=True).stdout)
            score = e["accuracy"] if a.task == "classification" else e["r2"]
            print("| %d | %.4f | %.4f | %s |" % (t["number"], t["score"], score,
                                                 " ".join("%s=%s" % kv for kv in p.items())), flush=True)


if __name__ == "__main__":
    main()
