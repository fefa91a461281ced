"""Trains the person-detection MobileNetV1 (width 0.25, 96x96x3, 2 classes, as MLPerf Tiny's vww01; batch norm folded
at export) and exports it as int8 .tflite whose input takes the uint8 image minus 128 (scale 1/255, zero point
-128), so Visual Wake Words files go to the DUT unchanged.

    npx tsx workloads/person-detection/recipe/generate.ts
    /usr/bin/python3 workloads/person-detection/recipe/train.py
    npx tsx harness/workloads/evaluate.ts person-detection --write
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

torch.set_num_threads(2)
torch.manual_seed(96)
IMAGE = 96 * 96 * 3


def load(path, labels_path=None):
    x = np.fromfile(path, dtype=np.uint8).reshape(-1, 96, 96, 3).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    return torch.tensor(x)


def load_test():
    rows = [l.split(",") for l in open(os.path.join(ROOT, "data", "y_labels.csv")).read().split("\n") if l.strip()]
    x = np.stack([np.fromfile(os.path.join(ROOT, "data", r[0].strip()), dtype=np.uint8) for r in rows]).reshape(-1, 96, 96, 3)
    return torch.tensor(x.transpose(0, 3, 1, 2).astype(np.float32) / 255.0), torch.tensor([int(r[2]) for r in rows])


def build(alpha=0.25):
    c = lambda n: max(8, int(n * alpha))  # noqa: E731
    spec = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    layers = [Conv(torch.nn.Conv2d(3, c(32), 3, bias=False), stride=(2, 2), act="RELU6", bn=torch.nn.BatchNorm2d(c(32)))]
    ch = c(32)
    for out, stride in spec:
        layers.append(DepthwiseConv(torch.nn.Conv2d(ch, ch, 3, groups=ch, bias=False), stride=(stride, stride), act="RELU6", bn=torch.nn.BatchNorm2d(ch)))
        layers.append(Conv(torch.nn.Conv2d(ch, c(out), 1, bias=False), act="RELU6", bn=torch.nn.BatchNorm2d(c(out))))
        ch = c(out)
    layers += [AvgPool((3, 3)), Flatten(), Dense(torch.nn.Linear(ch, 2)), Softmax()]
    return Sequential(layers)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return float(torch.cat([model(x[i:i + 256]).argmax(-1) for i in range(0, len(x), 256)]).eq(y).float().mean())


def teacher_logits(teacher, x):
    teacher.train(True)
    for m in teacher.bns:
        m.eval()
    with torch.no_grad():
        out = teacher(x)
    teacher.eval()
    return out


def train(model, x, y, epochs, teacher=None, masks=None, lr=4e-3):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * ((len(x) + 63) // 64)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps)
    for _ in range(epochs):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            idx = perm[i:i + 64]
            xb = x[idx]
            if torch.rand(1).item() < 0.5:
                xb = xb.flip(3)  # mirror images: people and objects look the same either way
            t = teacher_logits(teacher, xb) if teacher is not None else None
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
    g = export(model, cal, input_quant=(1.0 / 255.0, -128), description=description)
    write_tflite(g, path)
    return count_params_macs(g)


def main():
    started = time.time()
    x = load(os.path.join(ROOT, "build", "train.bin"))
    y = torch.tensor(np.fromfile(os.path.join(ROOT, "build", "train-labels.bin"), dtype=np.uint8).astype(np.int64))
    xt, yt = load_test()
    cal = x[:256]
    model = build()
    train(model, x, y, epochs=int(os.environ.get("EPOCHS", "30")))
    q = {"model": {"float32": accuracy(model, xt, yt)}}
    q["model"]["params"], q["model"]["macs"] = save(model, cal, os.path.join(ROOT, "model.tflite"), "tinyrig person detection MobileNetV1-0.25 int8 (workloads/person-detection/recipe/train.py)")
    print(json.dumps(q), flush=True)
    os.makedirs(os.path.join(ROOT, "variants"), exist_ok=True)
    pruned = build()
    pruned.load_state_dict(model.state_dict())
    masks = magnitude_prune(pruned, 0.5)
    train(pruned, x, y, epochs=3, masks=masks, lr=1e-3)
    q["pruned50-int8"] = {"float32": accuracy(pruned, xt, yt)}
    save(pruned, cal, os.path.join(ROOT, "variants", "pruned50-int8.tflite"), "tinyrig person detection, 50% magnitude-pruned, int8")
    student = build(alpha=0.125)
    train(student, x, y, epochs=int(os.environ.get("EPOCHS", "30")) // 2, teacher=model)
    q["student-int8"] = {"float32": accuracy(student, xt, yt)}
    save(student, cal, os.path.join(ROOT, "variants", "student-int8.tflite"), "tinyrig person detection, MobileNetV1-0.125 distilled student, int8")
    q["trainingSeconds"] = round(time.time() - started, 1)
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(q, f, indent=2)
    print(json.dumps(q, indent=2))


if __name__ == "__main__":
    main()
