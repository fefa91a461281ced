// A tiny software rasteriser: RGB float canvas, shapes filled with coverage from 4x4 subsamples (anti-aliased
// edges), then lighting and blur. Pure code, no canvas package.

export type Rgb = [number, number, number];

export class Canvas {
  readonly data: Float32Array;
  constructor(
    readonly w: number,
    readonly h: number,
  ) {
    this.data = new Float32Array(w * h * 3);
  }

  /** Fills pixels by coverage of `inside(x, y)` (pixel-space point test), within a bounding box. */
  fill(inside: (x: number, y: number) => boolean, color: Rgb | ((x: number, y: number) => Rgb), box: [number, number, number, number], alpha = 1): void {
    const [x0, y0, x1, y1] = box.map((v, i) => Math.max(0, Math.min(i % 2 ? this.h : this.w, Math.floor(v) + (i >= 2 ? 1 : 0))));
    for (let y = y0!; y < y1!; y++)
      for (let x = x0!; x < x1!; x++) {
        let cover = 0;
        for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) cover++;
        if (!cover) continue;
        const a = (alpha * cover) / 16;
        const c = typeof color === "function" ? color(x, y) : color;
        const i = (y * this.w + x) * 3;
        for (let k = 0; k < 3; k++) this.data[i + k] = this.data[i + k]! * (1 - a) + c[k]! * a;
      }
  }

  ellipse(cx: number, cy: number, rx: number, ry: number, color: Rgb, angle = 0): void {
    const c = Math.cos(angle),
      s = Math.sin(angle);
    const r = Math.max(rx, ry);
    this.fill(
      (x, y) => {
        const dx = x - cx,
          dy = y - cy;
        const u = (dx * c + dy * s) / rx,
          v = (-dx * s + dy * c) / ry;
        return u * u + v * v <= 1;
      },
      color,
      [cx - r, cy - r, cx + r, cy + r],
    );
  }

  /** A thick segment with round caps (limbs, poles). */
  capsule(ax: number, ay: number, bx: number, by: number, radius: number, color: Rgb): void {
    const dx = bx - ax,
      dy = by - ay,
      len2 = dx * dx + dy * dy || 1e-9;
    this.fill(
      (x, y) => {
        const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / len2));
        const px = ax + t * dx - x,
          py = ay + t * dy - y;
        return px * px + py * py <= radius * radius;
      },
      color,
      [Math.min(ax, bx) - radius, Math.min(ay, by) - radius, Math.max(ax, bx) + radius, Math.max(ay, by) + radius],
    );
  }

  /** Convex or concave polygon (even-odd rule). */
  polygon(points: [number, number][], color: Rgb | ((x: number, y: number) => Rgb)): void {
    const xs = points.map((p) => p[0]),
      ys = points.map((p) => p[1]);
    this.fill(
      (x, y) => {
        let inside = false;
        for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
          const [xi, yi] = points[i]!,
            [xj, yj] = points[j]!;
          if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
        }
        return inside;
      },
      color,
      [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)],
    );
  }

  rect(x: number, y: number, w: number, h: number, color: Rgb | ((x: number, y: number) => Rgb), angle = 0): void {
    const c = Math.cos(angle),
      s = Math.sin(angle),
      cx = x + w / 2,
      cy = y + h / 2;
    const corners: [number, number][] = [
      [-w / 2, -h / 2],
      [w / 2, -h / 2],
      [w / 2, h / 2],
      [-w / 2, h / 2],
    ].map(([u, v]) => [cx + u! * c - v! * s, cy + u! * s + v! * c]);
    this.polygon(corners, color);
  }

  /** Separable box blur of the given radius (0: none). */
  blur(radius: number): void {
    if (radius <= 0) return;
    const tmp = new Float32Array(this.data.length);
    const pass = (src: Float32Array, dst: Float32Array, horizontal: boolean) => {
      for (let y = 0; y < this.h; y++)
        for (let x = 0; x < this.w; x++)
          for (let k = 0; k < 3; k++) {
            let s = 0,
              n = 0;
            for (let d = -radius; d <= radius; d++) {
              const xx = horizontal ? x + d : x,
                yy = horizontal ? y : y + d;
              if (xx < 0 || yy < 0 || xx >= this.w || yy >= this.h) continue;
              s += src[(yy * this.w + xx) * 3 + k]!;
              n++;
            }
            dst[(y * this.w + x) * 3 + k] = s / n;
          }
    };
    pass(this.data, tmp, true);
    pass(tmp, this.data, false);
  }

  /** 8-bit RGB, HWC (the MLPerf vww01 file layout). */
  toRgb8(): Uint8Array {
    return Uint8Array.from(this.data, (v) => Math.max(0, Math.min(255, Math.round(v * 255))));
  }
}
