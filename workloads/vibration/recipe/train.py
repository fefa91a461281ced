"""Trains the vibration 1D CNN and exports it as int8 .tflite (run from the repository root):

    npx tsx workloads/vibration/recipe/generate.ts     # data: build/train*.bin, data/
    /usr/bin/python3 workloads/vibration/recipe/train.py

Writes model.tflite, the variants (variants/pruned50-int8.tflite, variants/student-int8.tflite) and
build/float-quality.json (float32 top-1 on the test set of each). The int8 figures in the manifest come from the
host reference interpreter: `npx tsx harness/workloads/evaluate.ts vibration --write`.
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
from qexport import (Conv, Dense, DepthwiseConv, Flatten, GlobalAvgPool, Sequential, Softmax, apply_masks,  # noqa: E402
                     count_params_macs, distillation_loss, export, magnitude_prune, write_tflite)

INPUT_SCALE = 1.0 / 16.0
torch.set_num_threads(2)
torch.manual_seed(1234)
np.random.seed(1234)


def load_train():
    x = np.fromfile(os.path.join(ROOT, "build", "train.bin"), dtype=np.int8).astype(np.float32) * INPUT_SCALE
    y = np.fromfile(os.path.join(ROOT, "build", "train-labels.bin"), dtype=np.uint8).astype(np.int64)
    return torch.tensor(x.reshape(-1, 1, 256, 3).transpose(0, 3, 1, 2).copy()), torch.tensor(y)


def load_test():
    rows = [l.split(",") for l in open(os.path.join(ROOT, "data", "y_labels.csv")).read().split("\n") if l.strip()]
    xs = [np.fromfile(os.path.join(ROOT, "data", r[0].strip()), dtype=np.int8).astype(np.float32) * INPUT_SCALE for r in rows]
    x = np.stack(xs).reshape(-1, 1, 256, 3).transpose(0, 3, 1, 2).copy()
    return torch.tensor(x), torch.tensor([int(r[2]) for r in rows])


def build(width=16):
    return Sequential([
        Conv(torch.nn.Conv2d(3, width, (1, 7)), stride=(1, 2)),
        Conv(torch.nn.Conv2d(width, 2 * width, (1, 5)), stride=(1, 2)),
        DepthwiseConv(torch.nn.Conv2d(2 * width, 2 * width, (1, 5), groups=2 * width), stride=(1, 2)),
        Conv(torch.nn.Conv2d(2 * width, 2 * width, (1, 1)), stride=(1, 1)),
        GlobalAvgPool(),
        Flatten(),
        Dense(torch.nn.Linear(2 * width, 5)),
        Softmax(),
    ])


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float((model(x).argmax(-1) == y).float().mean())


def train(model, x, y, epochs, teacher=None, masks=None, lr=3e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            logits = model(x[idx])
            if teacher is not None:
                teacher.eval()
                with torch.no_grad():
                    t = teacher(x[idx], record=None) if False else teacher_logits(teacher, x[idx])
                loss = distillation_loss(logits, t, y[idx])
            else:
                loss = torch.nn.functional.cross_entropy(logits, y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            if masks:
                apply_masks(masks)
        sched.step()


def teacher_logits(teacher, x):
    teacher.train(True)  # Softmax layer passes logits through in training mode
    with torch.no_grad():
        out = teacher(x)
    teacher.eval()
    return out


def save(model, x_cal, path, description):
    g = export(model, x_cal, input_quant=(INPUT_SCALE, 0), description=description)
    write_tflite(g, path)
    return count_params_macs(g)


def main():
    started = time.time()
    x, y = load_train()
    xt, yt = load_test()
    cal = x[:500]
    model = build()
    train(model, x, y, epochs=30)
    quality = {"model": {"float32": accuracy(model, xt, yt)}}
    params, macs = save(model, cal, os.path.join(ROOT, "model.tflite"),
                        "tinyrig vibration 1D CNN int8 (workloads/vibration/recipe/train.py)")
    quality["model"].update(params=params, macs=macs)
    os.makedirs(os.path.join(ROOT, "variants"), exist_ok=True)

    pruned = build()
    pruned.load_state_dict(model.state_dict())
    masks = magnitude_prune(pruned, 0.5)
    train(pruned, x, y, epochs=8, masks=masks, lr=1e-3)
    quality["pruned50-int8"] = {"float32": accuracy(pruned, xt, yt)}
    p, m = save(pruned, cal, os.path.join(ROOT, "variants", "pruned50-int8.tflite"), "tinyrig vibration, 50% magnitude-pruned, int8")
    quality["pruned50-int8"].update(params=p, macs=m)

    student = build(width=8)
    train(student, x, y, epochs=30, teacher=model)
    quality["student-int8"] = {"float32": accuracy(student, xt, yt)}
    p, m = save(student, cal, os.path.join(ROOT, "variants", "student-int8.tflite"), "tinyrig vibration, distilled half-width student, int8")
    quality["student-int8"].update(params=p, macs=m)

    quality["trainingSeconds"] = round(time.time() - started, 1)
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(quality, f, indent=2)
    print(json.dumps(quality, indent=2))


if __name__ == "__main__":
    main()
