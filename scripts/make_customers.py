#!/usr/bin/env python3
"""Writes data/customers.csv: a small synthetic customer file as people have them, for the
README's messy-file example: an id column, a signup date, a city with a long tail, missing
values spelled several ways, semicolons as separators. Seeded: reruns give the same file.

Usage: scripts/make_customers.py [OUT]   (default data/customers.csv)
"""
import datetime
import random
import sys

out = sys.argv[1] if len(sys.argv) > 1 else "data/customers.csv"
rng = random.Random(9)
cities = ["Lyon", "Paris", "Lille", "Nantes", "Nice"] + [f"Town{k:03d}" for k in range(60)]
rows = ["customer_id;signup;city;age;visits;spend;churned"]
for i in range(600):
    signup = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(900))
    city = rng.choice(cities[:5]) if rng.random() < 0.8 else rng.choice(cities[5:])
    age = rng.randrange(18, 80)
    visits = rng.randrange(0, 40)
    spend = round(rng.lognormvariate(4, 0.8), 2)
    tenure = (datetime.date(2023, 7, 1) - signup).days
    churn_score = 1.5 - visits / 10 + (80 - age) / 60 - tenure / 600 + rng.gauss(0, 0.4)
    churned = "yes" if churn_score > 0 else "no"
    cells = [f"CU-{10000 + i}", signup.isoformat(), city, str(age), str(visits), f"{spend:.2f}", churned]
    # Missing values as exports write them.
    if rng.random() < 0.05:
        cells[3] = rng.choice(["", "NA", "N/A", "null"])
    if rng.random() < 0.03:
        cells[5] = rng.choice(["", "NaN", "None"])
    if rng.random() < 0.02:
        cells[1] = ""
    rows.append(";".join(cells))
with open(out, "w", encoding="utf-8") as f:
    f.write("\n".join(rows) + "\n")
