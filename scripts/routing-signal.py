#!/usr/bin/env python3
"""How much per-prompt routing signal the routing data carries, before any model is trained.

For every dataset of ../shared/data/routing (RouterBench train and test splits, AlpacaEval,
RouterArena) it prints how often the strong model wins or loses an item, and the correlation of
simple prompt facts (length, digit share, questions, math symbols, long words) with the
strong-minus-weak gain on each split, so one can see whether a fact that helps on a train split
still points the same way on its test split. (`triage eval` prints the APGR side: random routing's
spread over 1,000 seeds, and `dataset-prior`, the router that knows only the dataset.)

Standard library only.   scripts/routing-signal.py [DATA_DIR]
"""
import ast
import csv
import json
import math
import os
import re
import statistics
import sys

DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "routing")
STRONG, WEAK = "gpt-4-1106-preview", "mistralai/mixtral-8x7b-chat"
ROUTERBENCH = ["arc_challenge", "mbpp", "winograde"]
csv.field_size_limit(1 << 30)


def unwrap(text):
    """RouterBench stores each prompt as a Python list literal of one string."""
    try:
        value = ast.literal_eval(text)
        return value[0] if isinstance(value, list) and len(value) == 1 else text
    except (ValueError, SyntaxError):
        return text


def routerbench(name, split):
    rows = []
    with open(os.path.join(DATA, "routerbench", f"{name}_{split}.csv"), newline="") as file:
        for row in csv.DictReader(file):
            if row[STRONG] and row[WEAK]:
                rows.append((unwrap(row["prompt"]), float(row[STRONG]), float(row[WEAK])))
    return rows


def alpacaeval():
    with open(os.path.join(DATA, "alpacaeval", "alpacaeval_winrate_vs_gpt4turbo.csv"), newline="") as file:
        return [(row["instruction"], 0.5, float(row["gpt-3.5-turbo-1106"])) for row in csv.DictReader(file)]


def routerarena():
    def read(model):
        with open(os.path.join(DATA, "routerarena", "cached_results", f"{model}.jsonl")) as file:
            return {item["global_index"]: item for item in map(json.loads, file)}
    strong, weak = read("gemini-2.0-flash-001"), read("claude-3-haiku-20240307")
    return [(item["question"], item["evaluation_result"]["score"], weak[key]["evaluation_result"]["score"]) for key, item in strong.items() if key in weak]


def ask(prompt):
    """The last paragraph: RouterBench prompts carry the same few-shot examples before it."""
    return prompt.split("\n\n")[-1]


FACTS = {
    "log length": lambda a: math.log1p(len(a)),
    "digit share": lambda a: sum(c.isdigit() for c in a) / max(1, len(a)),
    "questions": lambda a: a.count("?"),
    "math symbols": lambda a: sum(a.count(c) for c in "=+^\\$<>/"),
    "long words": lambda a: statistics.fmean(len(w) > 7 for w in re.findall(r"[A-Za-z0-9_']+", a) or ["x"]),
}


def correlation(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return 0.0 if sx == 0 or sy == 0 else sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / (sx * sy)


def main():
    sets = {f"{name} {split}": routerbench(name, split) for name in ROUTERBENCH for split in ("train", "test")}
    sets["alpacaeval"] = alpacaeval()
    sets["routerarena"] = routerarena()
    print("correlation of prompt facts (of the last paragraph) with the strong-minus-weak gain")
    print(f"{'dataset':24}{'items':>6}{'s > w':>7}{'s < w':>7}" + "".join(f"{fact:>14}" for fact in FACTS))
    for name, rows in sets.items():
        gains = [s - w for _, s, w in rows]
        asks = [ask(p) for p, _, _ in rows]
        wins, losses = sum(g > 0 for g in gains), sum(g < 0 for g in gains)
        print(f"{name:24}{len(rows):6}{wins:7}{losses:7}" + "".join(f"{correlation([fact(a) for a in asks], gains):14.3f}" for fact in FACTS.values()))


if __name__ == "__main__":
    main()
