"""Fits the vibration workload's classical model: a small random forest of CART trees (Gini, bootstrap samples,
a random subset of features at each split), in numpy, deterministic from the seed. Run by recipe/forest.ts, which
computes the integer features (harness/classical/spectral-forest.ts, the same code as the host reference) and turns
the trees into variants/forest.json and variants/forest.c:

    /usr/bin/python3 workloads/vibration/recipe/forest.py BUILD_DIR --seed 1234 [--trees 8 --depth 6 --min-leaf 5]

Reads BUILD_DIR/forest-train.json ({"features": F, "samples": N}), forest-train-features.bin (int32 little-endian,
N x F) and train-labels.bin (uint8); writes BUILD_DIR/forest-trees.json: per tree, split nodes
[feature, threshold, left, right] (x[feature] <= threshold goes left; a child < 0 is leaf ~child) and per leaf one
uint8 score per class, round(255 * the class's share of the leaf's training samples).
"""
import argparse
import json
import os

import numpy as np


def gini_split(v, y, counts, k, min_leaf):
    """Best threshold on one feature: (gain, threshold) with threshold a value of v, or (-1, None)."""
    n = len(v)
    order = np.argsort(v, kind="stable")
    vs, ys = v[order], y[order]
    onehot = np.zeros((n, k))
    onehot[np.arange(n), ys] = 1
    left = np.cumsum(onehot, 0)[:-1]
    nl = np.arange(1, n)[:, None].astype(np.float64)
    right = counts - left
    nr = n - nl
    gl = 1 - ((left / nl) ** 2).sum(1)
    gr = 1 - ((right / nr) ** 2).sum(1)
    parent = 1 - ((counts / n) ** 2).sum()
    gain = parent - (nl[:, 0] * gl + nr[:, 0] * gr) / n
    ok = (vs[:-1] < vs[1:]) & (nl[:, 0] >= min_leaf) & (nr[:, 0] >= min_leaf)
    gain = np.where(ok, gain, -1.0)
    i = int(np.argmax(gain))
    return (float(gain[i]), int(vs[i])) if gain[i] > 0 else (-1.0, None)


def grow(x, y, idx, k, rng, mtry, max_depth, min_leaf, nodes, leaves, depth=0):
    """Returns the child reference of the subtree: a node index, or ~leaf index."""
    counts = np.bincount(y[idx], minlength=k).astype(np.float64)
    best = (-1.0, None, None)
    if depth < max_depth and counts.max() < len(idx) and len(idx) >= 2 * min_leaf:
        for f in sorted(rng.choice(x.shape[1], mtry, replace=False).tolist()):
            gain, thr = gini_split(x[idx, f], y[idx], counts, k, min_leaf)
            if thr is not None and gain > best[0]:
                best = (gain, f, thr)
    if best[1] is None:
        total = int(counts.sum())
        leaves.append([(510 * int(c) + total) // (2 * total) for c in counts])
        return ~(len(leaves) - 1)
    _, f, thr = best
    me = len(nodes)
    nodes.append(None)
    go_left = x[idx, f] <= thr
    left = grow(x, y, idx[go_left], k, rng, mtry, max_depth, min_leaf, nodes, leaves, depth + 1)
    right = grow(x, y, idx[~go_left], k, rng, mtry, max_depth, min_leaf, nodes, leaves, depth + 1)
    nodes[me] = [int(f), int(thr), int(left), int(right)]
    return me


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--trees", type=int, default=8)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--min-leaf", type=int, default=5)
    ap.add_argument("--classes", type=int, default=5)
    a = ap.parse_args()
    meta = json.load(open(os.path.join(a.build, "forest-train.json")))
    x = np.fromfile(os.path.join(a.build, "forest-train-features.bin"), dtype="<i4").astype(np.int64)
    x = x.reshape(meta["samples"], meta["features"])
    y = np.fromfile(os.path.join(a.build, "train-labels.bin"), dtype=np.uint8).astype(np.int64)
    assert len(y) == len(x), "features and labels disagree"
    rng = np.random.default_rng(a.seed)
    mtry = max(1, int(round(np.sqrt(x.shape[1]))))
    trees = []
    for _ in range(a.trees):
        idx = np.sort(rng.integers(0, len(x), len(x)))  # bootstrap sample
        nodes, leaves = [], []
        root = grow(x, y, idx, a.classes, rng, mtry, a.depth, a.min_leaf, nodes, leaves)
        if root < 0:  # a tree that is one leaf: give it a split that both sides share
            nodes.append([0, 0, root, root])
        trees.append({"nodes": nodes, "leaves": leaves})
    out = {"trees": trees, "training": {"algorithm": "random forest of CART trees (Gini), numpy", "seed": a.seed,
                                         "trees": a.trees, "maxDepth": a.depth, "minLeaf": a.min_leaf,
                                         "featuresPerSplit": mtry, "bootstrap": True, "samples": len(x)}}
    with open(os.path.join(a.build, "forest-trees.json"), "w") as f:
        json.dump(out, f)
    print(f"forest: {a.trees} trees, {sum(len(t['nodes']) for t in trees)} splits, "
          f"{sum(len(t['leaves']) for t in trees)} leaves")


if __name__ == "__main__":
    main()
