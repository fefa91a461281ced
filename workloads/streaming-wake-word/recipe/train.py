"""Trains the streaming wake-word DS-CNN, shaped like MLPerf Tiny's sww01 reference ("1D DS-CNN"): input 30 frames x 40
log-mel features with the features in the channel dimension ([1, 30, 1, 40] NHWC), four blocks of depthwise conv
(k x 1, VALID, no bias) -> 1x1 conv (no bias) -> batch norm -> ReLU -> dropout 0.2 with k = 3, 5, 10, 15 and 128,
128, 128, 32 filters (time 30 -> 28 -> 24 -> 15 -> 1), flatten, dense 3, softmax; classes 0 wake word ("marvin"),
1 silence/background, 2 other speech (MLPerf's order). Every time-domain convolution is VALID with stride 1, so the
firmware can run it incrementally, one new column per layer per hop, bit-exact with the full model. Exported as int8
.tflite with MLPerf's input quantisation (scale 0.0037010426, zero point -128), calibrated on training windows.

    npx tsx workloads/streaming-wake-word/recipe/training-set.ts
    /usr/bin/python3 workloads/streaming-wake-word/recipe/train.py
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
from qexport import Conv, Dense, DepthwiseConv, Dropout, Flatten, Sequential, Softmax, count_params_macs, export, write_tflite  # noqa: E402

SCALE, ZP = 0.003701042616739869, -128
FRAMES, BANDS = 30, 40
torch.set_num_threads(2)
torch.manual_seed(1503)
rng = np.random.default_rng(1503)


def load():
    frames = np.fromfile(os.path.join(ROOT, "build", "train-frames.bin"), dtype=np.int8).reshape(-1, BANDS)
    labels = np.fromfile(os.path.join(ROOT, "build", "train-labels.bin"), dtype=np.uint8)
    index = json.load(open(os.path.join(ROOT, "build", "train-index.json")))
    starts, off = [], 0
    for s in index:  # windows ending at hop >= 29 of each stream, whose label is not "ignored"
        h = np.arange(off + FRAMES - 1, off + s["hops"])
        starts.append(h[labels[h] != 255])
        off += s["hops"]
    ends = np.concatenate(starts)
    return frames, labels, ends


def windows(frames, ends):
    """NCHW float batch: channels = the 40 features, height = the 30 frames (oldest first), width 1."""
    idx = ends[:, None] - np.arange(FRAMES - 1, -1, -1)[None, :]
    q = frames[idx]  # N x 30 x 40
    f = (q.astype(np.float32) - ZP) * SCALE
    return torch.tensor(f.transpose(0, 2, 1)[:, :, :, None].copy())


def build():
    layers, ch = [], BANDS
    for k, out in ((3, 128), (5, 128), (10, 128), (15, 32)):
        layers.append(DepthwiseConv(torch.nn.Conv2d(ch, ch, (k, 1), groups=ch, bias=False), padding="VALID", act="NONE"))
        layers.append(Conv(torch.nn.Conv2d(ch, out, (1, 1), bias=False), padding="VALID", bn=torch.nn.BatchNorm2d(out)))
        layers.append(Dropout(0.2))
        ch = out
    layers += [Flatten(), Dense(torch.nn.Linear(ch, 3)), Softmax()]
    return Sequential(layers)


def main():
    started = time.time()
    frames, labels, ends = load()
    y_all = labels[ends].astype(np.int64)
    counts = np.bincount(y_all, minlength=3)
    print(f"windows: {len(ends)} (wake {counts[0]}, silence {counts[1]}, other {counts[2]})", flush=True)
    # a held-out tenth of the windows, by position (contiguous blocks), for the float accuracy
    block = (np.arange(len(ends)) // 2000) % 10 == 9
    tr, va = ends[~block], ends[block]
    model = build()
    epochs, batch = 2, 128
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    weight = torch.tensor([2.0, 1.0, 1.0])  # a missed wake word costs as much as two false accepts
    wake, silence, other = (tr[labels[tr] == c] for c in (0, 1, 2))
    per_epoch = len(wake) + len(other) // 2 + len(silence) // 6
    steps = epochs * ((per_epoch + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    for epoch in range(epochs):
        # every wake-word window, half the other-speech ones and a sixth of the background-only ones (different each
        # epoch): what two shared CPU cores manage in minutes
        perm = rng.permutation(np.concatenate([wake, rng.choice(other, len(other) // 2, replace=False), rng.choice(silence, len(silence) // 6, replace=False)]))
        model.train()
        total = 0.0
        for i in range(0, len(perm), batch):
            e = perm[i:i + batch]
            x = windows(frames, e)
            # a random gain (+-4 dB moves every log-mel feature by the same amount) and light feature noise
            x = torch.clamp(x + (torch.rand(len(e), 1, 1, 1) - 0.5) * 0.125 + torch.randn_like(x) * 0.01, 0.0, 255 * SCALE)
            yb = torch.tensor(labels[e].astype(np.int64))
            loss = torch.nn.functional.cross_entropy(model(x), yb, weight=weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss) * len(e)
            if (i // batch) % 50 == 0:
                print(f"  step {i // batch}: loss {float(loss):.4f} ({time.time() - started:.0f} s)", flush=True)
        print(f"epoch {epoch + 1}/{epochs}: loss {total / len(perm):.4f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    with torch.no_grad():
        pred = torch.cat([model(windows(frames, va[i:i + 2048])).argmax(-1) for i in range(0, len(va), 2048)])
    acc = float((pred.numpy() == labels[va]).mean())
    cal = windows(frames, rng.choice(tr, 512, replace=False))
    g = export(model, cal, input_quant=(SCALE, ZP), description="tinyrig streaming wake-word DS-CNN int8 (workloads/streaming-wake-word/recipe/train.py)")
    write_tflite(g, os.path.join(ROOT, "model.tflite"))
    params, macs = count_params_macs(g)
    q = {"float32WindowAccuracy": round(acc, 4), "params": int(params), "macs": int(macs), "trainingSeconds": round(time.time() - started, 1)}
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(q, f, indent=2)
    print(json.dumps(q, indent=2))


if __name__ == "__main__":
    main()
