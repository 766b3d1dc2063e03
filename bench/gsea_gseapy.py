"""Times gseapy.prerank on one workload for bench/gsea.R (called by it; not a standalone tool).

Usage: python gsea_gseapy.py '<json>' with keys
  ranking   TSV, genes x rankings (first column gene names, header = ranking names)
  columns   ranking names to run (a subset of the header)
  gmt       GMT file of the gene sets
  mode      "permutation" or "multilevel"
  nperm     permutations (permutation mode) / simple-step permutations (multilevel mode)
  threads, seed, min_size, max_size
  out       CSV written with columns sample, pathway, ES
Prints {"seconds": ...}: time spent in gseapy.prerank calls only (data loading excluded).
"""

import json
import sys
import time

import gseapy
import pandas as pd


def read_gmt(path):
    sets = {}
    with open(path) as handle:
        for line in handle:
            fields = line.rstrip("\r\n").split("\t")
            if len(fields) >= 3:
                sets[fields[0]] = [g for g in fields[2:] if g]
    return sets


def prerank(rnk, sets, args, method):
    return gseapy.prerank(
        rnk=rnk,
        gene_sets=sets,
        permutation_num=args["nperm"],
        threads=args["threads"],
        seed=args["seed"],
        min_size=args["min_size"],
        max_size=args["max_size"],
        method=method,
        outdir=None,
        no_plot=True,
        verbose=False,
    ).res2d


def main():
    args = json.loads(sys.argv[1])
    sets = read_gmt(args["gmt"])
    table = pd.read_csv(args["ranking"], sep="\t", index_col=0)[args["columns"]]
    frames = []
    start = time.perf_counter()
    if args["mode"] == "permutation" and len(args["columns"]) > 1:
        # gseapy's own multi-ranking path (prerank2d)
        res = prerank(table, sets, args, "permutation")
        frames.append(pd.DataFrame({"sample": res["Name"], "pathway": res["Term"], "ES": res["ES"]}))
    else:
        # multilevel supports one ranking per call: the loop users write
        for column in args["columns"]:
            res = prerank(table[column], sets, args, args["mode"])
            frames.append(pd.DataFrame({"sample": column, "pathway": res["Term"], "ES": res["ES"]}))
    seconds = time.perf_counter() - start
    pd.concat(frames).to_csv(args["out"], index=False)
    print(json.dumps({"seconds": seconds}))


if __name__ == "__main__":
    main()
