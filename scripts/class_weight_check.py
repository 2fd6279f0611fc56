#!/usr/bin/python3
"""`--class-weight balanced` against unweighted training on an imbalanced problem.

    /usr/bin/python3 scripts/class_weight_check.py /tmp/gradus-imbalanced --jar gradus-cli/target/gradus.jar

Builds (once) a two-class problem with 5 % positives, scikit-learn's
make_classification(n_samples=12000, n_features=20, n_informative=6, n_redundant=4,
weights=[0.95, 0.05], flip_y=0.01, class_sep=0.8, random_state=0), split 75/25 stratified with
random_state=42, written as DIR/imbalanced_train.csv and DIR/imbalanced_test.csv (label 0 or 1;
1 is the minority and the positive class). Then, for seeds 0..4, trains `gradus train --task
classification --seed S` with and without `--class-weight balanced`, scores the test rows with
`gradus evaluate --json` and prints the means [min, max] of accuracy, balanced accuracy, the
minority class's recall and precision, PR-AUC (average precision) and ROC AUC. For context it
prints scikit-learn's LogisticRegression() with and without class_weight='balanced' on the same
split (MLPClassifier has no class weights).
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from compare_defaults import Runner  # noqa: E402

KEYS = ["accuracy", "balanced_accuracy", "recall_1", "precision_1", "average_precision", "roc_auc"]


def build(data_dir):
    train = os.path.join(data_dir, "imbalanced_train.csv")
    test = os.path.join(data_dir, "imbalanced_test.csv")
    if os.path.exists(train) and os.path.exists(test):
        return train, test
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    import pandas as pd
    x, y = make_classification(n_samples=12000, n_features=20, n_informative=6, n_redundant=4,
                               weights=[0.95, 0.05], flip_y=0.01, class_sep=0.8, random_state=0)
    frame = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
    frame["label"] = y
    tr, te = train_test_split(frame, test_size=0.25, stratify=y, random_state=42)
    os.makedirs(data_dir, exist_ok=True)
    tr.to_csv(train, index=False, float_format="%.6g")
    te.to_csv(test, index=False, float_format="%.6g")
    return train, test


def gradus(runner, train, test, seed, flags, model):
    code, out, err = runner.run(["train", "--data", train, "--task", "classification", "--target", "label",
                                 "--seed", str(seed), "--quiet", "--out", model] + flags)
    if code != 0:
        raise RuntimeError("train failed: " + err.strip())
    code, out, err = runner.run(["evaluate", "--model", model, "--data", test, "--json"])
    if code != 0:
        raise RuntimeError("evaluate failed: " + err.strip())
    j = json.loads(out)
    return {"accuracy": j["accuracy"], "balanced_accuracy": j["balanced_accuracy"],
            "recall_1": j["per_class"]["1"]["recall"], "precision_1": j["per_class"]["1"]["precision"],
            "average_precision": j["average_precision"], "roc_auc": j["roc_auc"]}


def sklearn_logistic(train, test, balanced):
    import pandas as pd
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import (accuracy_score, average_precision_score, balanced_accuracy_score,
                                 precision_score, recall_score, roc_auc_score)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    tr, te = pd.read_csv(train), pd.read_csv(test)
    xs = [c for c in tr.columns if c != "label"]
    model = make_pipeline(StandardScaler(), LogisticRegression(class_weight="balanced" if balanced else None))
    model.fit(tr[xs], tr["label"])
    y, p = te["label"], model.predict(te[xs])
    s = model.predict_proba(te[xs])[:, 1]
    return {"accuracy": accuracy_score(y, p), "balanced_accuracy": balanced_accuracy_score(y, p),
            "recall_1": recall_score(y, p), "precision_1": precision_score(y, p, zero_division=0),
            "average_precision": average_precision_score(y, s), "roc_auc": roc_auc_score(y, s)}


def row(name, results):
    cells = []
    for k in KEYS:
        v = [r[k] for r in results]
        cells.append("%.4f" % v[0] if len(v) == 1 else "%.4f [%.4f, %.4f]" % (np.mean(v), min(v), max(v)))
    return "| " + name + " | " + " | ".join(cells) + " |"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", help="where the data set is written (or found)")
    ap.add_argument("--jar", help="run Gradus from this jar in one JVM instead of ./gradus per command")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    a = ap.parse_args()
    train, test = build(a.dir)
    runner = Runner(a.jar)
    model = os.path.join(tempfile.mkdtemp(), "m.gradus")
    seeds = [int(s) for s in a.seeds.split(",")]
    print("| model | " + " | ".join(KEYS) + " |")
    print("|---|" + "---|" * len(KEYS))
    for name, flags in [("gradus train (unweighted)", []),
                        ("gradus train --class-weight balanced", ["--class-weight", "balanced"])]:
        print(row(name + ", seeds %s" % a.seeds, [gradus(runner, train, test, s, flags, model) for s in seeds]),
              flush=True)
    for balanced in (False, True):
        print(row("scikit-learn LogisticRegression(%s)" % ("class_weight='balanced'" if balanced else ""),
                  [sklearn_logistic(train, test, balanced)]), flush=True)


if __name__ == "__main__":
    sys.exit(main())
