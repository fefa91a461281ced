"""Trains the anomaly-detection autoencoder (MLPerf ad01's 640-128-128-128-128-8-128-128-128-128-640) on normal
machine sounds only, and exports it as .tflite: float32 in, QUANTIZE, int8 FULLY_CONNECTED layers, DEQUANTIZE.

    npx tsx workloads/anomaly-detection/recipe/generate.ts
    /usr/bin/python3 workloads/anomaly-detection/recipe/train.py
    npx tsx harness/workloads/evaluate.ts anomaly-detection --write
"""
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "..", "common"))
from qexport import Dense, Dequantize, Sequential, count_params_macs, export, magnitude_prune, apply_masks, write_tflite  # noqa: E402

torch.set_num_threads(2)
torch.manual_seed(4321)


def build(hidden=128, bottleneck=8):
    sizes = [640, hidden, hidden, hidden, hidden, bottleneck, hidden, hidden, hidden, hidden, 640]
    layers = [Dense(torch.nn.Linear(a, b), act="RELU" if i < len(sizes) - 2 else "NONE") for i, (a, b) in enumerate(zip(sizes, sizes[1:]))]
    return Sequential(layers + [Dequantize()])


def load_test():
    rows = [l.split(",") for l in open(os.path.join(ROOT, "data", "y_labels.csv")).read().split("\n") if l.strip()]
    clips = [np.fromfile(os.path.join(ROOT, "data", r[0].strip()), dtype="<f4").reshape(-1, 128) for r in rows]
    return clips, np.array([int(r[2]) for r in rows])


def auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    return float(((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (len(pos) * len(neg)))


def evaluate(model, clips, labels):
    model.eval()
    scores = []
    with torch.no_grad():
        for c in clips:
            w = torch.tensor(np.stack([c[i:i + 5].reshape(-1) for i in range(len(c) - 4)]))
            scores.append(float(((model(w) - w) ** 2).mean(dim=1).mean()))
    return auc(np.array(scores), labels)


def train(model, x, epochs, masks=None, lr=1e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            b = x[perm[i:i + 64]]
            loss = ((model(b) - b) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            if masks:
                apply_masks(masks)


def main():
    started = time.time()
    x = torch.tensor(np.fromfile(os.path.join(ROOT, "build", "train.bin"), dtype="<f4").reshape(-1, 640))
    clips, labels = load_test()
    model = build()
    train(model, x, epochs=40)
    quality = {"model": {"float32": evaluate(model, clips, labels)}}
    g = export(model, x[:1000], description="tinyrig anomaly detection autoencoder int8 (workloads/anomaly-detection/recipe/train.py)", float_input=True)
    write_tflite(g, os.path.join(ROOT, "model.tflite"))
    quality["model"]["params"], quality["model"]["macs"] = count_params_macs(g)
    os.makedirs(os.path.join(ROOT, "variants"), exist_ok=True)
    pruned = build()
    pruned.load_state_dict(model.state_dict())
    masks = magnitude_prune(pruned, 0.5)
    train(pruned, x, epochs=10, masks=masks, lr=3e-4)
    quality["pruned50-int8"] = {"float32": evaluate(pruned, clips, labels)}
    write_tflite(export(pruned, x[:1000], description="tinyrig anomaly detection, 50% magnitude-pruned, int8", float_input=True),
                 os.path.join(ROOT, "variants", "pruned50-int8.tflite"))
    student = build(hidden=64)
    train(student, x, epochs=40)
    quality["student-int8"] = {"float32": evaluate(student, clips, labels)}
    write_tflite(export(student, x[:1000], description="tinyrig anomaly detection, 64-wide autoencoder, int8", float_input=True),
                 os.path.join(ROOT, "variants", "student-int8.tflite"))
    quality["trainingSeconds"] = round(time.time() - started, 1)
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(quality, f, indent=2)
    print(json.dumps(quality, indent=2))


if __name__ == "__main__":
    main()
