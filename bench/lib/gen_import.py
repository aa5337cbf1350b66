#!/usr/bin/python3
"""Writes the bodies of the import benchmark: N objectives as one JSON import document
({"objectives": [...]}) or as CSV with a header row (POST /v1/import?type=objectives,
Content-Type text/csv; the same file is what the plain COPY reads).

Rows follow the distributions of bench/seed.sql (levels, statuses, measured vs.
qualitative, maintain with a tolerance, ...) and pass the API's validation. Refs are
<prefix>-0000001.. so every run can choose fresh ones.

Usage: gen_import.py --rows N --prefix REF_PREFIX --format json|csv --out FILE
Standard library only.
"""
import argparse
import csv
import datetime
import json
import sys

CSV_COLUMNS = [
    "ref", "title", "level", "function", "owner", "status", "policy_ref",
    "requirement_refs", "measure_metric", "measure_unit", "measure_baseline",
    "measure_target", "measure_direction", "measure_tolerance", "measure_frequency",
    "success_criteria", "start_date", "due_date", "communicated_to", "communicated_on",
]

TOPICS = ["reduce phishing", "patch faster", "encrypt laptops", "train staff", "test backups"]
LEVELS = ["strategic", "tactical", "operational"]
STATUSES = ["draft", "active", "active", "active", "achieved", "not_achieved", "cancelled"]
FREQUENCIES = ["weekly", "monthly", "quarterly", "annually"]


def row(g, prefix, today):
    """One objective as a flat dict of CSV column -> value (None: empty)."""
    measured = g % 10 != 0
    start = today - datetime.timedelta(days=g % 400)
    r = {
        "ref": "%s-%07d" % (prefix, g),
        "title": "Imported objective %d %s" % (g, TOPICS[g % 5]),
        "level": LEVELS[g % 3],
        "function": "Function %d" % (g % 40),
        "owner": "owner%d" % (g % 500),
        "status": STATUSES[g % 7],
        "policy_ref": "POL-%d" % (g % 20) if g % 4 != 0 else None,
        "requirement_refs": "ISO27001:A.%d" % (g % 93) if g % 3 == 0 else None,
        "measure_metric": None, "measure_unit": None, "measure_baseline": None,
        "measure_target": None, "measure_direction": None, "measure_tolerance": None,
        "measure_frequency": None,
        "success_criteria": None if measured else "Board approval recorded",
        "start_date": start.isoformat(),
        "due_date": (start + datetime.timedelta(days=30 + g % 700)).isoformat(),
        "communicated_to": "all staff" if g % 2 == 0 else None,
        "communicated_on": (today - datetime.timedelta(days=g % 300)).isoformat()
        if g % 2 == 0 else None,
    }
    if measured:
        maintain = g % 11 == 0
        r.update({
            "measure_metric": "metric %d" % (g % 50),
            "measure_unit": "%",
            "measure_baseline": 10 + g % 50,
            "measure_target": 80 + g % 20 if g % 2 == 0 else 1 + g % 5,
            "measure_direction": "maintain" if maintain
            else ("increase" if g % 2 == 0 else "decrease"),
            "measure_tolerance": 2 if maintain else None,
            "measure_frequency": FREQUENCIES[g % 4],
        })
    return r


def as_document(r):
    """The JSON import form: measure nested, lists as arrays, absent fields left out."""
    doc = {}
    for key in ("ref", "title", "level", "function", "owner", "status", "policy_ref",
                "success_criteria", "start_date", "due_date", "communicated_on"):
        if r[key] is not None:
            doc[key] = r[key]
    if r["requirement_refs"] is not None:
        doc["requirement_refs"] = [r["requirement_refs"]]
    if r["communicated_to"] is not None:
        doc["communicated_to"] = [r["communicated_to"]]
    if r["measure_metric"] is not None:
        m = {k[len("measure_"):]: r[k] for k in CSV_COLUMNS
             if k.startswith("measure_") and r[k] is not None}
        doc["measure"] = m
    return doc


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--prefix", required=True)
    p.add_argument("--format", choices=("json", "csv"), required=True)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    today = datetime.date.today()
    with open(a.out, "w", encoding="utf-8", newline="") as f:
        if a.format == "csv":
            w = csv.writer(f, lineterminator="\r\n")
            w.writerow(CSV_COLUMNS)
            for g in range(1, a.rows + 1):
                r = row(g, a.prefix, today)
                w.writerow(["" if r[c] is None else r[c] for c in CSV_COLUMNS])
        else:
            f.write('{"objectives":[')
            for g in range(1, a.rows + 1):
                if g > 1:
                    f.write(",")
                f.write(json.dumps(as_document(row(g, a.prefix, today)),
                                   separators=(",", ":")))
            f.write("]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
