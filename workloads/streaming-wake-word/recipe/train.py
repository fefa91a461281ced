"""Trains the streaming wake-word DS-CNN, shaped like MLPerf Tiny's sww01 reference ("1D DS-CNN"): input 30 frames x 40
log-mel features with the features in the channel dimension ([1, 30, 1, 40] NHWC), four blocks of depthwise conv
(k x 1, VALID, no bias) -> 1x1 conv (no bias) -> batch norm -> ReLU -> dropout 0.2 with k = 3, 5, 10, 15 and 128,
128, 128, 32 filters (time 30 -> 28 -> 24 -> 15 -> 1), flatten, dense 3, softmax; classes 0 wake word ("marvin"),
1 silence/background, 2 other speech (MLPerf's order). Every time-domain convolution is VALID with stride 1, so the
firmware can run it incrementally, one new column per layer per hop, bit-exact with the full model; training uses the
same property: a 256-frame sequence gives the logits of all 227 windows in it in one pass (about 20 times less work
than window by window), labelled per hop. The log-mel features are computed once, by training-set.ts with the
device's fixed-point front end. Seeded, one thread: a rerun writes the same model. Exported as int8 .tflite with
MLPerf's input quantisation (scale 0.0037010426, zero point -128), calibrated on training windows. The detection rule
(threshold, hops in a row) is then chosen on the validation stream, never on a test stream.

    npx tsx workloads/streaming-wake-word/recipe/training-set.ts    # 24 x 5 min training streams + the validation stream
    /usr/bin/python3 workloads/streaming-wake-word/recipe/train.py  # 40 epochs, about 10 min on one loaded core
    npx tsx workloads/streaming-wake-word/recipe/choose-rule.ts --write
    npx tsx harness/streaming/evaluate.ts streaming-wake-word --write
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
IGNORED = 255
# one thread: the machine's two cores are shared, and one thread makes the run repeat exactly
torch.set_num_threads(1)
torch.manual_seed(1503)
rng = np.random.default_rng(1503)
EPOCHS = int(os.environ.get("SWW_EPOCHS", "40"))
CHUNK = 256  # frames per training sequence: CHUNK - 29 labelled hops share one pass of the convolutions
CLASS_WEIGHT = (1.0, 1.0, 1.5)  # wake word, silence, other speech: other speech is where the false accepts come from


def load():
    frames = np.fromfile(os.path.join(ROOT, "build", "train-frames.bin"), dtype=np.int8).reshape(-1, BANDS)
    labels = np.fromfile(os.path.join(ROOT, "build", "train-labels.bin"), dtype=np.uint8)
    index = json.load(open(os.path.join(ROOT, "build", "train-index.json")))
    spans, off = [], 0
    for s in index:
        spans.append((off, off + s["hops"]))
        off += s["hops"]
    return frames, labels, spans


def as_float(q):
    """int8 features -> the float input the int8 model sees (MLPerf's input quantisation)."""
    return (q.astype(np.float32) - ZP) * SCALE


def windows(frames, ends):
    """NCHW float batch of 30-frame windows: channels = the 40 features, height = the 30 frames (oldest first), width 1."""
    idx = ends[:, None] - np.arange(FRAMES - 1, -1, -1)[None, :]
    return torch.tensor(as_float(frames[idx]).transpose(0, 2, 1)[:, :, :, None].copy())


def build():
    layers, ch = [], BANDS
    for k, out in ((3, 128), (5, 128), (10, 128), (15, 32)):
        layers.append(DepthwiseConv(torch.nn.Conv2d(ch, ch, (k, 1), groups=ch, bias=False), padding="VALID", act="NONE"))
        layers.append(Conv(torch.nn.Conv2d(ch, out, (1, 1), bias=False), padding="VALID", bn=torch.nn.BatchNorm2d(out)))
        layers.append(Dropout(0.2))
        ch = out
    layers += [Flatten(), Dense(torch.nn.Linear(ch, 3)), Softmax()]
    return Sequential(layers)


def sequence_logits(model, trunk, x):
    """Every convolution is VALID with stride 1 in time, so a sequence of T frames gives the logits of all T - 29
    windows in it at once (what the firmware's incremental engine computes hop by hop): x N x 40 x T x 1 ->
    N x (T - 29) x 3. trunk shares the model's convolution layers; the dense layer is applied at every position."""
    h = trunk(x)  # N x 32 x (T - 29) x 1
    return model.layers[-2].module(h[:, :, :, 0].transpose(1, 2))


def chunks(spans, epoch_rng):
    """Sequence starts covering every training stream once, from a random offset per stream."""
    starts = []
    step = CHUNK - FRAMES + 1
    for a, b in spans:
        s = a + int(epoch_rng.integers(0, step))
        starts.extend(range(s, b - CHUNK + 1, step))
    return np.array(starts)


def main():
    started = time.time()
    frames, labels, spans = load()
    counts = np.bincount(labels[labels != IGNORED], minlength=3)
    print(f"hops: {len(labels)} (wake {counts[0]}, silence {counts[1]}, other {counts[2]}, ignored {(labels == IGNORED).sum()}); {EPOCHS} epochs", flush=True)
    model = build()
    trunk = Sequential(model.layers[: model.layers.index(next(l for l in model.layers if isinstance(l, Flatten)))])
    batch = 16
    per_epoch = len(chunks(spans, np.random.default_rng(0)))
    steps = EPOCHS * ((per_epoch + batch - 1) // batch)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=steps)
    weight = torch.tensor(CLASS_WEIGHT)
    positions = np.arange(CHUNK)[None, :]
    for epoch in range(EPOCHS):
        starts = rng.permutation(chunks(spans, rng))
        model.train()
        trunk.train()  # its own Module: dropout reads this one's flag
        total, n = 0.0, 0
        for i in range(0, len(starts), batch):
            s = starts[i:i + batch]
            idx = s[:, None] + positions
            x = as_float(frames[idx])  # N x T x 40
            # a random gain per sequence (+-6 dB moves every log-mel feature by the same amount) and light noise
            x = x + (rng.random((len(s), 1, 1), dtype=np.float32) - 0.5) * 0.1875 + rng.normal(0, 0.01, x.shape).astype(np.float32)
            x = torch.tensor(np.clip(x, 0.0, 255 * SCALE).transpose(0, 2, 1)[:, :, :, None].copy())
            y = torch.tensor(labels[idx[:, FRAMES - 1:]].astype(np.int64))
            logits = sequence_logits(model, trunk, x)
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 3), y.reshape(-1), weight=weight, ignore_index=IGNORED)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            k = int((y != IGNORED).sum())
            total += float(loss) * k
            n += k
        print(f"epoch {epoch + 1}/{EPOCHS}: loss {total / n:.4f} ({time.time() - started:.0f} s)", flush=True)
    model.eval()
    trunk.eval()
    # float accuracy on the validation stream's hops is measured by the detection-rule step (choose-rule.ts), on the
    # int8 model the device runs; here only the training hops' float accuracy, for the log
    with torch.no_grad():
        correct, n = 0, 0
        for a, b in spans:
            x = torch.tensor(as_float(frames[a:b]).T[None, :, :, None].copy())
            pred = sequence_logits(model, trunk, x)[0].argmax(-1).numpy()
            y = labels[a + FRAMES - 1:b]
            keep = y != IGNORED
            correct += int((pred[keep] == y[keep]).sum())
            n += int(keep.sum())
    acc = correct / n
    ends = np.concatenate([np.arange(a + FRAMES - 1, b) for a, b in spans])
    ends = ends[labels[ends] != IGNORED]
    cal = windows(frames, rng.choice(ends, 512, replace=False))
    g = export(model, cal, input_quant=(SCALE, ZP), description="tinyrig streaming wake-word DS-CNN int8 (workloads/streaming-wake-word/recipe/train.py)")
    write_tflite(g, os.path.join(ROOT, "model.tflite"))
    params, macs = count_params_macs(g)
    q = {"float32TrainingHopAccuracy": round(acc, 4), "epochs": EPOCHS, "params": int(params), "macs": int(macs), "trainingSeconds": round(time.time() - started, 1)}
    with open(os.path.join(ROOT, "build", "float-quality.json"), "w") as f:
        json.dump(q, f, indent=2)
    print(json.dumps(q, indent=2))


if __name__ == "__main__":
    main()
