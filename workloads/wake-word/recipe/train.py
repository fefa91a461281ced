"""Trains the wake-word DS-CNN (as MLPerf Tiny's kws01: conv 10x4 64 ch stride 2, 4 x (depthwise 3x3 + pointwise
64), average pool, dense 12, softmax; batch norm folded at export) and exports it as int8 .tflite with the
reference model's input quantisation (scale 0.5847, zero point 83).

    npx tsx workloads/wake-word/recipe/generate.ts
    /usr/bin/python3 workloads/wake-word/recipe/train.py
    npx tsx harness/workloads/evaluate.ts wake-word --write
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
from qexport import (AvgPool, Conv, Dense, DepthwiseConv, Flatten, Sequential, Softmax, apply_masks,  # noqa: E402
                     count_params_macs, distillation_loss, export, magnitude_prune, write_tflite)

SCALE, ZP = 0.5847, 83
torch.set_num_threads(2)
torch.manual_seed(2024)


def to_float(q):
    return (q.astype(np.float32) - ZP) * SCALE


def load_train():
    x = to_float(np.fromfile(os.path.join(ROOT, "build", "train.bin"), dtype=np.int8)).reshape(-1, 1, 49, 10)
    y = np.fromfile(os.path.join(ROOT, "build", "train-labels.bin"), dtype=np.uint8).astype(np.int64)
    return torch.tensor(x), torch.tensor(y)


def load_test():
    rows = [l.split(",") for l in open(os.path.join(ROOT, "data", "y_labels.csv")).read().split("\n") if l.strip()]
    x = np.stack([to_float(np.fromfile(os.path.join(ROOT, "data", r[0].strip()), dtype=np.int8)) for r in rows]).reshape(-1, 1, 49, 10)
    return torch.tensor(x), torch.tensor([int(r[2]) for r in rows])


def build(ch=64, blocks=4):
    layers = [Conv(torch.nn.Conv2d(1, ch, (10, 4), bias=False), stride=(2, 2), bn=torch.nn.BatchNorm2d(ch))]
    for _ in range(blocks):
        layers.append(DepthwiseConv(torch.nn.Conv2d(ch, ch, (3, 3), groups=ch, bias=False), bn=torch.nn.BatchNorm2d(ch)))
        layers.append(Conv(torch.nn.Conv2d(ch, ch, (1, 1), bias=False), bn=torch.nn.BatchNorm2d(ch)))
    layers += [AvgPool((25, 5)), Flatten(), Dense(torch.nn.Linear(ch, 12)), Softmax()]
    return Sequential(layers)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(-1) == y).float().mean())


def logits_of(teacher, x):
    teacher.train(True)
    for m in teacher.bns:
        m.eval()
    with torch.no_grad():
        out = teacher(x)
    teacher.eval()
    return out


def train(model, x, y, epochs, teacher=None, masks=None, lr=3e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=epochs * ((len(x) + 63) // 64))
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            xb = x[idx] + torch.randn_like(x[idx]) * 0.3  # light feature noise against over-fitting
            t = logits_of(teacher, xb) if teacher is not None else None
            model.train()
            logits = model(xb)
            loss = distillation_loss(logits, t, y[idx]) if t is not None else torch.nn.functional.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            if masks:
                apply_masks(masks)


def save(model, cal, path, description):
    g = export(model, cal, input_quant=(SCALE, ZP), description=description)
    write_tflite(g, path)
    return count_params_macs(g)


def main():
    started = time.time()
    x, y = load_train()
    xt, yt = load_test()
    cal = x[:512]
    model = build()
    train(model, x, y, epochs=30)
    q = {"model": {"float32": accuracy(model, xt, yt)}}
    q["model"]["params"], q["model"]["macs"] = save(model, cal, os.path.join(ROOT, "model.tflite"), "tinyrig wake-word DS-CNN int8 (workloads/wake-word/recipe/train.py)")
    print(json.dumps(q), flush=True)
    os.makedirs(os.path.join(ROOT, "variants"), exist_ok=True)
    pruned = build()
    pruned.load_state_dict(model.state_dict())
    masks = magnitude_prune(pruned, 0.5)
    train(pruned, x, y, epochs=8, masks=masks, lr=1e-3)
    q["pruned50-int8"] = {"float32": accuracy(pruned, xt, yt)}
    save(pruned, cal, os.path.join(ROOT, "variants", "pruned50-int8.tflite"), "tinyrig wake-word DS-CNN, 50% magnitude-pruned, int8")
    student = build(ch=32, blocks=3)
    train(student, x, y, epochs=30, teacher=model)
    q["student-int8"] = {"float32": accuracy(student, xt, yt)}
    save(student, cal, os.path.join(ROOT, "variants", "student-int8.tflite"), "tinyrig wake-word, distilled 32-channel 3-block student, int8")
    q["trainingSeconds"] = round(time.time() - started, 1)
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(q, f, indent=2)
    print(json.dumps(q, indent=2))


if __name__ == "__main__":
    main()
