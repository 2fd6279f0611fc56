#!/usr/bin/python3
"""Regression tables that were NOT used to choose Gradus's defaults: a check of them on unseen data.

    /usr/bin/python3 scripts/defaults_unseen.py /tmp/gradus-unseen --vega DIR
    /usr/bin/python3 scripts/compare_defaults.py /tmp/gradus-unseen --jar gradus-cli/target/gradus.jar

Writes DIR/NAME_train.csv, DIR/NAME_test.csv and DIR/manifest.json in the layout of
scripts/defaults_datasets.py (one 75/25 split, random_state=42), so compare_defaults.py runs on
them unchanged. The tables:
- star98 (statsmodels, Debian): share of a California school district's pupils above the
  national median in maths (PR50M / MATHTOT) from 20 district figures; 303 rows.
- grunfeld (statsmodels): a firm's gross investment from its value, capital, year and the firm
  (categorical); 220 rows.
- engel (statsmodels): household food expenditure from income; 235 rows.
- gapminder (vega-datasets 3.2.1, npm): life expectancy from year, population, fertility and the
  region cluster (categorical); the country name is left out.
- friedman2, friedman3: scikit-learn's make_friedman2(2000, noise=100) and
  make_friedman3(2000, noise=0.1), random_state=1.
- linear_noisy: make_regression(400, 10 features, 5 informative, noise=40, random_state=1).
The vega package is taken from --vega (its data/ folder) or fetched with `npm pack
vega-datasets@3.2.1`, as defaults_datasets.py does.
"""
import os
import sys

import pandas as pd
from sklearn import datasets as skd

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from defaults_datasets import STATSMODELS, build_into, split  # noqa: E402


def tables(vega):
    out = []
    s = pd.read_csv(os.path.join(STATSMODELS, "star98", "star98.csv"))
    s["share_above"] = s.pop("PR50M") / s.pop("MATHTOT")   # statsmodels' NABOVE / (NABOVE + NBELOW)
    out.append(("star98", ["share_above"], [], "statsmodels 'star98'", s))
    g = pd.read_csv(os.path.join(STATSMODELS, "grunfeld", "grunfeld.csv"))
    g = g[[c for c in g.columns if c != "invest"] + ["invest"]]
    out.append(("grunfeld", ["invest"], ["firm"], "statsmodels 'grunfeld'", g))
    e = pd.read_csv(os.path.join(STATSMODELS, "engel", "engel.csv"))
    out.append(("engel", ["foodexp"], [], "statsmodels 'engel'", e[["income", "foodexp"]]))
    m = pd.read_json(os.path.join(vega, "gapminder.json")).drop(columns=["country"]).dropna()
    m["cluster"] = "c" + m["cluster"].astype(str)
    m = m[[c for c in m.columns if c != "life_expect"] + ["life_expect"]]
    out.append(("gapminder", ["life_expect"], ["cluster"], "vega-datasets gapminder", m))
    for name, maker, noise in [("friedman2", skd.make_friedman2, 100.0), ("friedman3", skd.make_friedman3, 0.1)]:
        x, y = maker(n_samples=2000, noise=noise, random_state=1)
        f = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
        f["target"] = y
        out.append((name, ["target"], [], "make_%s(2000, noise=%g, random_state=1)" % (name, noise), f))
    x, y = skd.make_regression(n_samples=400, n_features=10, n_informative=5, noise=40.0, random_state=1)
    f = pd.DataFrame(x, columns=["x%d" % i for i in range(x.shape[1])])
    f["target"] = y
    out.append(("linear_noisy", ["target"], [], "make_regression(400, 10 features, noise=40, random_state=1)", f))
    return out


def main():
    build_into(lambda folder: [(name, "regression", targets, categorical, source, *split(frame, "regression", targets))
                               for name, targets, categorical, source, frame in tables(folder)], __doc__)


if __name__ == "__main__":
    sys.exit(main())
