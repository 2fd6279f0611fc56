#!/usr/bin/python3
"""Gradus's defaults against scikit-learn's, on the datasets of scripts/defaults_datasets.py.

    /usr/bin/python3 scripts/defaults_datasets.py /tmp/gradus-defaults
    /usr/bin/python3 scripts/compare_defaults.py /tmp/gradus-defaults

For every dataset and seed (default 0..4) on its fixed train/test split:
- scikit-learn: StandardScaler on the numeric columns and OneHotEncoder on the text ones, then
  MLPClassifier() or MLPRegressor() with every default, random_state=seed; for regression the
  target is standardised too (TransformedTargetRegressor).
- Gradus: `./gradus train --task T --target COLS --seed S` and nothing else (plus --test, --json,
  --quiet, --out, which do not change the fit); --gradus NAME='FLAGS' adds a column for a
  variant (e.g. --gradus wd0='--weight-decay 0'); the plain defaults are the column 'gradus'
  unless --no-defaults.

Scores are test accuracy (classification) and test R² averaged over targets (regression). The
target is met when a column's mean >= scikit-learn's mean - max(0.003, 1/test rows) for
classification and - 0.003 for regression ("0.3 points, or one test row").
Results are cached in DIR/results.json (keyed by the exact flags), so a rerun only fits what is
missing; --fresh ignores the cache. Prints a Markdown table.
"""
import argparse
import base64
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np
import pandas as pd

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, ".."))


def sklearn_score(d, data_dir, seed):
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.metrics import accuracy_score, r2_score
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    train = pd.read_csv(os.path.join(data_dir, d["name"] + "_train.csv"))
    test = pd.read_csv(os.path.join(data_dir, d["name"] + "_test.csv"))
    targets = d["targets"]
    features = [c for c in train.columns if c not in targets]
    numeric = [c for c in features if c not in d["categorical"]]
    columns = ColumnTransformer([("num", StandardScaler(), numeric)]
                                + ([("cat", OneHotEncoder(handle_unknown="ignore"), d["categorical"])]
                                   if d["categorical"] else []))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if d["task"] == "classification":
            y = train[targets[0]].astype(str)
            model = make_pipeline(columns, MLPClassifier(random_state=seed)).fit(train[features], y)
            return accuracy_score(test[targets[0]].astype(str), model.predict(test[features]))
        y = train[targets].to_numpy() if len(targets) > 1 else train[targets[0]].to_numpy()
        model = TransformedTargetRegressor(make_pipeline(columns, MLPRegressor(random_state=seed)),
                                           transformer=StandardScaler()).fit(train[features], y)
        truth = test[targets].to_numpy() if len(targets) > 1 else test[targets[0]].to_numpy()
        return r2_score(truth, model.predict(test[features]))


class Runner:
    """Runs gradus command lines: with a jar, all in one warm JVM (scripts/TrainMany.java), else ./gradus."""

    def __init__(self, jar):
        self.proc = None
        if jar:
            self.proc = subprocess.Popen(
                ["java", "--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-cp", jar,
                 os.path.join(HERE, "TrainMany.java")],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def run(self, args):
        if self.proc is None:
            r = subprocess.run([os.path.join(ROOT, "gradus")] + args, capture_output=True, text=True)
            return r.returncode, r.stdout, r.stderr
        self.proc.stdin.write("\t".join(args) + "\n")
        self.proc.stdin.flush()
        code, out, err = self.proc.stdout.readline().rstrip("\n").split("\t")
        return int(code), base64.b64decode(out).decode(), base64.b64decode(err).decode()


def expand(flag, d):
    """A flag with {EXPR} in it: EXPR evaluated with rows (training rows), reg (regression or not) and
    targets (the number of target columns)."""
    if "{" not in flag:
        return flag
    head, rest = flag.split("{", 1)
    expr, tail = rest.split("}", 1)
    value = eval(expr, {}, {"rows": d["train_rows"], "reg": d["task"] == "regression",
                                 "targets": len(d["targets"])})
    return head + ("%.6g" % value if isinstance(value, float) else str(value)) + expand(tail, d)


def gradus_score(runner, d, data_dir, seed, flags, out):
    cmd = ["train",
           "--data", os.path.join(data_dir, d["name"] + "_train.csv"),
           "--test", os.path.join(data_dir, d["name"] + "_test.csv"),
           "--task", d["task"], "--target", ",".join(d["targets"]), "--seed", str(seed),
           "--json", "--quiet", "--out", out] + flags
    code, stdout, stderr = runner.run([expand(f, d) for f in cmd])
    if code != 0:
        raise RuntimeError("gradus %s failed: %s" % (" ".join(cmd), stderr.strip()))
    j = json.loads(stdout)
    t = j["test"]
    return (t["accuracy"] if d["task"] == "classification" else t["r2"]), j["epochs"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="folder written by scripts/defaults_datasets.py")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--only", help="comma-separated dataset names")
    ap.add_argument("--gradus", action="append", default=[], metavar="NAME=FLAGS",
                    help="an extra Gradus column trained with these flags")
    ap.add_argument("--no-defaults", action="store_true", help="no column for the plain defaults")
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--jar", help="run Gradus from this jar in one JVM (scripts/TrainMany.java) instead of "
                                  "one ./gradus process per fit; the results are the same")
    ap.add_argument("--fresh", action="store_true", help="ignore cached results")
    ap.add_argument("--cache", help="the results file (default DIR/results.json); several may be merged: "
                                    "--cache A.json,B.json reads all, writes the first")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    manifest = json.load(open(os.path.join(a.dir, "manifest.json")))
    if a.only:
        keep = a.only.split(",")
        manifest = [d for d in manifest if d["name"] in keep]
    configs = ([] if a.no_defaults else [("gradus", [])]) + [
        (spec.split("=", 1)[0], shlex.split(spec.split("=", 1)[1])) for spec in a.gradus]
    paths = a.cache.split(",") if a.cache else [os.path.join(a.dir, "results.json")]
    cache_path = paths[0]
    cache = {}
    for p in ([] if a.fresh else reversed(paths)):
        if os.path.exists(p):
            cache.update(json.load(open(p)))

    def cached(key, compute):
        if key not in cache:
            cache[key] = compute()
            with open(cache_path + ".tmp", "w") as f:
                json.dump(cache, f)
            os.replace(cache_path + ".tmp", cache_path)
        return cache[key]

    tmp = tempfile.mkdtemp()
    runner = Runner(a.jar)
    header = ["dataset", "train / test rows", "metric", "scikit-learn defaults"] + [
        "%s" % name for name, _ in configs] + ["target met"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for d in manifest:
        started = time.time()
        sk = [] if a.no_sklearn else [cached("sklearn|%s|%d" % (d["name"], s),
                                             lambda s=s: sklearn_score(d, a.dir, s)) for s in seeds]
        cols, met = [], []
        tol = max(0.003, 1.0 / d["test_rows"]) if d["task"] == "classification" else 0.003
        for name, flags in configs:
            res = [cached("gradus|%s|%s|%d" % (" ".join(flags), d["name"], s),
                          lambda s=s: gradus_score(runner, d, a.dir, s, flags, os.path.join(tmp, "m.gradus")))
                   for s in seeds]
            v = [r[0] for r in res]
            ep = np.mean([r[1] for r in res])
            cols.append("%.4f [%.4f, %.4f] (%.0f ep)" % (np.mean(v), min(v), max(v), ep))
            if sk:
                met.append("%s %+.4f" % ("yes" if np.mean(v) >= np.mean(sk) - tol else "**no**",
                                         np.mean(v) - np.mean(sk)))
        row = [d["name"], "%d / %d" % (d["train_rows"], d["test_rows"]),
               "accuracy" if d["task"] == "classification" else "R²",
               "%.4f [%.4f, %.4f]" % (np.mean(sk), min(sk), max(sk)) if sk else "-"] + cols + [
            "; ".join(met) + " (tol %.4f)" % tol]
        print("| " + " | ".join(row) + " |", flush=True)
        print("  %s: %.0f s" % (d["name"], time.time() - started), file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
