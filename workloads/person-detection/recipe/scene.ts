// Procedural 96x96 scenes for person detection: people (head, torso, arms and legs in varied poses, clothing colours
// and patterns, sizes, positions, partial occlusion, sometimes several) versus scenes with other things (furniture,
// boxes, cars, trees, animals, poles that look like limbs), on textured backgrounds, under varied light.
import type { Prng } from "../../common/prng.ts";
import { Canvas, type Rgb } from "./raster.ts";

export const SIZE = 96;

const SKIN: Rgb[] = [
  [0.96, 0.8, 0.69],
  [0.87, 0.67, 0.53],
  [0.72, 0.52, 0.38],
  [0.55, 0.37, 0.25],
  [0.36, 0.22, 0.15],
];
const randColor = (rng: Prng): Rgb => [rng.uniform(), rng.uniform(), rng.uniform()];
const shade = (c: Rgb, f: number): Rgb => [c[0] * f, c[1] * f, c[2] * f];

function background(rng: Prng, c: Canvas): void {
  const a = randColor(rng),
    b = randColor(rng);
  const kind = rng.int(0, 4);
  const period = rng.uniform(4, 20),
    angle = rng.uniform(0, Math.PI);
  const floorY = rng.uniform(40, 80);
  c.fill(
    () => true,
    (x, y) => {
      const t = kind === 0 ? y / SIZE : kind === 1 ? x / SIZE : 0;
      if (kind === 2) return Math.floor((x * Math.cos(angle) + y * Math.sin(angle)) / period) % 2 ? a : b; // stripes
      if (kind === 3) return (Math.floor(x / period) + Math.floor(y / period)) % 2 ? a : b; // tiles
      if (kind === 4) return y > floorY ? shade(b, 0.8) : a; // wall and floor
      return [a[0] * (1 - t) + b[0] * t, a[1] * (1 - t) + b[1] * t, a[2] * (1 - t) + b[2] * t];
    },
    [0, 0, SIZE, SIZE],
  );
  // texture noise
  const amp = rng.uniform(0, 0.08);
  for (let i = 0; i < c.data.length; i++) c.data[i] = c.data[i]! + amp * (rng.uniform() - 0.5);
}

/** A person standing at (x, y = feet), height h, in a random pose. */
function person(rng: Prng, c: Canvas, x: number, y: number, h: number): void {
  const skin = rng.pick(SKIN);
  const shirt = randColor(rng),
    trousers = randColor(rng);
  const striped = rng.uniform() < 0.3;
  const headR = h * 0.075;
  const hipY = y - h * 0.47,
    shoulderY = y - h * 0.8,
    neckY = y - h * 0.84;
  const halfW = h * rng.uniform(0.1, 0.14);
  const lean = rng.uniform(-0.15, 0.15);
  const limb = h * 0.045;
  // legs: walking, standing, or sitting-like bend
  const stride = rng.uniform(-0.25, 0.25);
  for (const side of [-1, 1]) {
    const kneeX = x + side * halfW * 0.5 + side * stride * h * 0.3,
      kneeY = y - h * 0.24;
    c.capsule(x + side * halfW * 0.5, hipY, kneeX, kneeY, limb * 1.1, trousers);
    c.capsule(kneeX, kneeY, kneeX + side * stride * h * 0.15, y - limb, limb, trousers);
    c.ellipse(kneeX + side * stride * h * 0.15 + side * limb, y - limb * 0.6, limb * 1.6, limb * 0.8, [0.1, 0.1, 0.1]);
  }
  // torso
  const top = x + lean * h * 0.3;
  c.polygon(
    [
      [top - halfW, shoulderY],
      [top + halfW, shoulderY],
      [x + halfW * 0.85, hipY],
      [x - halfW * 0.85, hipY],
    ],
    striped ? (_px: number, py: number) => (Math.floor(py / (h * 0.05)) % 2 ? shirt : shade(shirt, 0.5)) : shirt,
  );
  // arms: down, raised, out, bent
  for (const side of [-1, 1]) {
    const pose = rng.int(0, 3);
    const sx = top + side * halfW,
      sy = shoulderY + limb;
    const ang = pose === 0 ? 0.1 : pose === 1 ? 2.6 : pose === 2 ? 1.4 : rng.uniform(0.3, 2.2);
    const ex = sx + side * Math.sin(ang) * h * 0.17,
      ey = sy + Math.cos(ang) * h * 0.17;
    const bend = pose === 3 ? rng.uniform(-1.2, 1.2) : 0;
    const hx = ex + side * Math.sin(ang + bend) * h * 0.16,
      hy = ey + Math.cos(ang + bend) * h * 0.16;
    c.capsule(sx, sy, ex, ey, limb, shirt);
    c.capsule(ex, ey, hx, hy, limb * 0.9, rng.uniform() < 0.5 ? skin : shirt);
    c.ellipse(hx, hy, limb * 1.1, limb * 1.1, skin);
  }
  // neck and head, sometimes hair or a hat
  c.capsule(top, shoulderY, top, neckY, limb, skin);
  const hx = top + rng.uniform(-0.02, 0.02) * h,
    hy = neckY - headR * 0.9;
  c.ellipse(hx, hy, headR * 0.85, headR, skin);
  const hair = rng.int(0, 2);
  if (hair === 1) c.ellipse(hx, hy - headR * 0.45, headR * 0.9, headR * 0.6, shade(randColor(rng), 0.4));
  if (hair === 2) c.rect(hx - headR * 1.1, hy - headR * 1.3, headR * 2.2, headR * 0.6, randColor(rng));
}

/** Non-person things, some deliberately limb- or body-like. */
function object(rng: Prng, c: Canvas, x: number, y: number, s: number): void {
  const col = randColor(rng);
  switch (rng.int(0, 6)) {
    case 0: // box / cabinet
      c.rect(x - s * 0.3, y - s * 0.5, s * 0.6, s * 0.5, col, rng.uniform(-0.2, 0.2));
      break;
    case 1: // chair: seat, back, four thin legs
      c.rect(x - s * 0.2, y - s * 0.3, s * 0.4, s * 0.06, col);
      c.rect(x - s * 0.2, y - s * 0.65, s * 0.06, s * 0.35, col);
      for (const dx of [-0.2, -0.1, 0.1, 0.17]) c.capsule(x + dx * s, y - s * 0.27, x + dx * s, y, s * 0.015, shade(col, 0.7));
      break;
    case 2: // car
      c.rect(x - s * 0.45, y - s * 0.28, s * 0.9, s * 0.2, col);
      c.rect(x - s * 0.25, y - s * 0.42, s * 0.5, s * 0.16, shade(col, 0.8));
      c.ellipse(x - s * 0.28, y - s * 0.07, s * 0.08, s * 0.08, [0.05, 0.05, 0.05]);
      c.ellipse(x + s * 0.28, y - s * 0.07, s * 0.08, s * 0.08, [0.05, 0.05, 0.05]);
      break;
    case 3: // tree
      c.capsule(x, y, x, y - s * 0.5, s * 0.05, [0.35, 0.22, 0.1]);
      c.ellipse(x, y - s * 0.7, s * 0.3, s * 0.28, [rng.uniform(0, 0.3), rng.uniform(0.4, 0.8), rng.uniform(0, 0.3)]);
      break;
    case 4: // four-legged animal
      c.ellipse(x, y - s * 0.3, s * 0.3, s * 0.13, col);
      for (const dx of [-0.22, -0.12, 0.12, 0.22]) c.capsule(x + dx * s, y - s * 0.25, x + dx * s, y, s * 0.03, col);
      c.ellipse(x + s * 0.33, y - s * 0.42, s * 0.09, s * 0.08, col);
      break;
    case 5: // poles and a sign: long thin limb-like shapes
      c.capsule(x, y, x + rng.uniform(-0.1, 0.1) * s, y - s * 0.9, s * 0.025, col);
      if (rng.uniform() < 0.5) c.rect(x - s * 0.15, y - s * 0.95, s * 0.3, s * 0.18, randColor(rng));
      break;
    default: // lamp: round head on a stick (head-like)
      c.capsule(x, y, x, y - s * 0.6, s * 0.02, [0.2, 0.2, 0.2]);
      c.ellipse(x, y - s * 0.68, s * 0.09, s * 0.1, col);
      c.rect(x - s * 0.12, y - s * 0.04, s * 0.24, s * 0.04, [0.2, 0.2, 0.2]);
  }
}

function lighting(rng: Prng, c: Canvas): void {
  const gain = rng.uniform(0.55, 1.3);
  const cast: Rgb = [rng.uniform(0.85, 1.15), rng.uniform(0.85, 1.15), rng.uniform(0.85, 1.15)];
  const vignette = rng.uniform(0, 0.6);
  const noise = rng.uniform(0, 0.06);
  for (let y = 0; y < SIZE; y++)
    for (let x = 0; x < SIZE; x++) {
      const r2 = ((x - SIZE / 2) ** 2 + (y - SIZE / 2) ** 2) / (SIZE * SIZE * 0.5);
      const v = 1 - vignette * r2;
      for (let k = 0; k < 3; k++) {
        const i = (y * SIZE + x) * 3 + k;
        c.data[i] = c.data[i]! * gain * cast[k]! * v + noise * (rng.uniform() - 0.5);
      }
    }
  c.blur(rng.uniform() < 0.3 ? 1 : 0);
}

/** One 96x96 RGB image (uint8 HWC) with (label 1) or without (label 0) a person. */
export function renderScene(rng: Prng, label: number): Uint8Array {
  const c = new Canvas(SIZE, SIZE);
  background(rng, c);
  const things: { y: number; draw: () => void }[] = [];
  const objects = rng.int(label ? 0 : 1, 4);
  for (let i = 0; i < objects; i++) {
    const x = rng.uniform(5, 91),
      y = rng.uniform(50, 100),
      s = rng.uniform(25, 80);
    things.push({ y, draw: () => object(rng, c, x, y, s) });
  }
  if (label) {
    const people = rng.uniform() < 0.2 ? 2 : 1;
    for (let p = 0; p < people; p++) {
      const h = rng.uniform(30, 100);
      const x = rng.uniform(10, 86),
        y = Math.min(110, rng.uniform(h * 0.8, 100) + (h > 80 ? rng.uniform(0, 25) : 0));
      things.push({ y, draw: () => person(rng, c, x, y, h) });
    }
  }
  things.sort((a, b) => a.y - b.y); // nearer things (lower in the frame) drawn last: occlusion
  for (const t of things) t.draw();
  lighting(rng, c);
  return c.toRgb8();
}
