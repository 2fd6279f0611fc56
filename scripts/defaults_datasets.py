#!/usr/bin/python3
"""Builds the fixed list of datasets on which Gradus's defaults are compared with scikit-learn's.

    /usr/bin/python3 scripts/defaults_datasets.py DIR

writes DIR/NAME_train.csv and DIR/NAME_test.csv for every dataset, and DIR/manifest.json (task,
target columns, categorical columns, source). Everything is built offline from Debian packages
and the npm registry, and is the same on every run:

- data/ (iris, wine, breast_cancer, digits, diabetes): copied with their fixed splits.
- scikit-learn's generators (python3-sklearn): make_classification, make_moons, make_friedman1,
  make_regression with three targets; fixed random_state.
- statsmodels' bundled tables (python3-statsmodels): fair (affairs > 0, binary), randhie
  (doctor visits, a noisy count regression).
- vega-datasets (npm): penguins (species), cars (miles per gallon), seattle-weather (weather
  kind). Pass --vega DIR (the unpacked package's data/ folder), or the script runs
  `npm pack vega-datasets@3.2.1` in a temporary folder.

New splits are 75/25, stratified by class for classification, random_state=42, as in data/.
Nothing is downloaded at run time except that one npm package when --vega is not given.
"""
import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn import datasets as skd
from sklearn.model_selection import train_test_split

HERE = os.path.dirname(os.path.abspath(__file__))
REPO_DATA = os.path.join(HERE, "..", "data")
STATSMODELS = "/usr/lib/python3/dist-packages/statsmodels/datasets"


def split(frame, task, targets):
    stratify = frame[targets[0]] if task == "classification" else None
    return train_test_split(frame, test_size=0.25, random_state=42, stratify=stratify)


def shipped():
    out = []
    for name in ["iris", "wine", "breast_cancer", "digits", "diabetes"]:
        train = pd.read_csv(os.path.join(REPO_DATA, name + "_train.csv"))
        test = pd.read_csv(os.path.join(REPO_DATA, name + "_test.csv"))
        task = "regression" if name == "diabetes" else "classification"
        out.append((name, task, [train.columns[-1]], [], "data/ (scikit-learn's bundled data, BSD-3-Clause)",
                    train, test))
    return out


def synthetic():
    out = []
    x, y = skd.make_classification(n_samples=20000, n_features=20, n_informative=10, n_redundant=4,
                                   n_classes=3, n_clusters_per_class=2, flip_y=0.02, random_state=0)
    f = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
    f["label"] = y
    out.append(("synth_classification", "classification", ["label"], [],
                "make_classification(20000, 20 features, 3 classes, random_state=0)", f))
    x, y = skd.make_moons(n_samples=5000, noise=0.3, random_state=0)
    f = pd.DataFrame(x, columns=["x0", "x1"])
    f["label"] = y
    out.append(("moons", "classification", ["label"], [], "make_moons(5000, noise=0.3, random_state=0)", f))
    x, y = skd.make_friedman1(n_samples=10000, n_features=10, noise=1.0, random_state=0)
    f = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
    f["target"] = y
    out.append(("friedman1", "regression", ["target"], [], "make_friedman1(10000, noise=1, random_state=0)", f))
    x, y = skd.make_regression(n_samples=5000, n_features=20, n_informative=10, n_targets=3, noise=10.0,
                               random_state=0)
    f = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
    for k in range(3):
        f["y%d" % k] = y[:, k]
    out.append(("synth_regression3", "regression", ["y0", "y1", "y2"], [],
                "make_regression(5000, 20 features, 3 targets, noise=10, random_state=0)", f))
    return [(n, t, tg, c, s, *split(f, t, tg)) for (n, t, tg, c, s, f) in out]


def statsmodels_tables():
    out = []
    fair = pd.read_csv(os.path.join(STATSMODELS, "fair", "fair.csv"))
    fair["label"] = (fair.pop("affairs") > 0).astype(int)
    out.append(("fair", "classification", ["label"], [], "statsmodels 'fair' (Fair 1978), affairs > 0", fair))
    rand = pd.read_csv(os.path.join(STATSMODELS, "randhie", "randhie.csv"))
    rand = rand[[c for c in rand.columns if c != "mdvis"] + ["mdvis"]]
    out.append(("randhie", "regression", ["mdvis"], [], "statsmodels 'randhie' (RAND health insurance)", rand))
    return [(n, t, tg, c, s, *split(f, t, tg)) for (n, t, tg, c, s, f) in out]


def vega(folder):
    out = []
    p = pd.read_json(os.path.join(folder, "penguins.json"))
    p = p.rename(columns=lambda c: c.split(" (")[0].lower().replace(" ", "_"))
    p = p[p["sex"].isin(["MALE", "FEMALE"])].dropna()
    p = p[[c for c in p.columns if c != "species"] + ["species"]]
    out.append(("penguins", "classification", ["species"], ["island", "sex"], "vega-datasets penguins", p))
    c = pd.read_json(os.path.join(folder, "cars.json"))
    c = c.drop(columns=["Name"]).dropna()
    c["Year"] = pd.to_datetime(c["Year"]).dt.year
    c = c[[k for k in c.columns if k != "Miles_per_Gallon"] + ["Miles_per_Gallon"]]
    out.append(("cars", "regression", ["Miles_per_Gallon"], ["Origin"], "vega-datasets cars (StatLib auto-mpg)", c))
    w = pd.read_csv(os.path.join(folder, "seattle-weather.csv"))
    w["month"] = pd.to_datetime(w.pop("date")).dt.month
    w = w[[k for k in w.columns if k != "weather"] + ["weather"]]
    out.append(("seattle_weather", "classification", ["weather"], [], "vega-datasets seattle-weather", w))
    return [(n, t, tg, cat, s, *split(f, t, tg)) for (n, t, tg, cat, s, f) in out]


@contextlib.contextmanager
def vega_data(folder):
    """The data/ folder of vega-datasets 3.2.1: `folder` if given, else the package fetched with `npm pack`
    into a temporary folder that is removed afterwards."""
    if folder is not None:
        yield folder
        return
    tmp = tempfile.mkdtemp()
    try:
        subprocess.run(["npm", "pack", "--silent", "vega-datasets@3.2.1"], cwd=tmp, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run(["tar", "xzf", "vega-datasets-3.2.1.tgz"], cwd=tmp, check=True)
        yield os.path.join(tmp, "package", "data")
    finally:
        shutil.rmtree(tmp)


def write(folder, sets):
    """Writes NAME_train.csv, NAME_test.csv and manifest.json for (name, task, targets, categorical, source,
    train, test) tuples, printing one line per table."""
    manifest = []
    for name, task, targets, categorical, source, train, test in sets:
        train.to_csv(os.path.join(folder, name + "_train.csv"), index=False)
        test.to_csv(os.path.join(folder, name + "_test.csv"), index=False)
        manifest.append({"name": name, "task": task, "targets": targets, "categorical": categorical,
                         "source": source, "train_rows": len(train), "test_rows": len(test),
                         "features": train.shape[1] - len(targets)})
        print("%-22s %-14s %6d train %6d test %3d features  %s" % (name, task, len(train), len(test),
                                                                   train.shape[1] - len(targets), source))
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def build_into(tables, doc):
    """The command line of a dataset script: DIR [--vega FOLDER]; `tables(vega_folder)` gives the
    (name, task, targets, categorical, source, train, test) tuples written into DIR."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir")
    ap.add_argument("--vega", help="the data/ folder of an unpacked vega-datasets package")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    with vega_data(a.vega) as folder:
        sets = tables(folder)
    write(a.dir, sets)


def main():
    build_into(lambda folder: shipped() + vega(folder) + statsmodels_tables() + synthetic(), __doc__)


if __name__ == "__main__":
    sys.exit(main())
