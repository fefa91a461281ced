// A bounds-checked flatbuffer reader: tables through their vtables, vectors and scalars, little-endian. Every
// access is checked; a bad offset throws a TfliteError naming what was being read.

export class TfliteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TfliteError";
  }
}

export class FlatbufferReader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  check(pos: number, count: number, size: number, what: string): void {
    if (pos < 0 || pos + count * size > this.bytes.length) {
      throw new TfliteError(`${what}: offset ${pos} (+${count * size} bytes) is outside the ${this.bytes.length}-byte file`);
    }
  }

  u8(pos: number, what = "byte"): number {
    this.check(pos, 1, 1, what);
    return this.view.getUint8(pos);
  }
  i32(pos: number, what = "int32"): number {
    this.check(pos, 1, 4, what);
    return this.view.getInt32(pos, true);
  }
  u32(pos: number, what = "uint32"): number {
    this.check(pos, 1, 4, what);
    return this.view.getUint32(pos, true);
  }
  i64(pos: number, what = "int64"): number {
    this.check(pos, 1, 8, what);
    return Number(this.view.getBigInt64(pos, true));
  }
  f32(pos: number, what = "float32"): number {
    this.check(pos, 1, 4, what);
    return this.view.getFloat32(pos, true);
  }

  root(): number {
    if (this.bytes.length < 8) throw new TfliteError(`file too short (${this.bytes.length} bytes)`);
    return this.u32(0, "root offset");
  }

  /** Position of field `index` of the table at `table`, or undefined when absent. */
  field(table: number, index: number, what: string): number | undefined {
    const vtable = table - this.i32(table, `${what} table`);
    const vtSize = this.u32(vtable, `${what} vtable`) & 0xffff;
    const slot = 4 + 2 * index;
    if (slot + 2 > vtSize) return undefined;
    this.check(vtable + slot, 1, 2, `${what} vtable`);
    const off = this.view.getUint16(vtable + slot, true);
    return off ? table + off : undefined;
  }

  /** Follows an offset field (table, vector or string). */
  ref(table: number, index: number, what: string): number | undefined {
    const pos = this.field(table, index, what);
    if (pos === undefined) return undefined;
    const target = pos + this.u32(pos, what);
    this.check(target, 1, 4, what);
    return target;
  }

  vectorLength(vec: number, what: string): number {
    return this.u32(vec, `${what} length`);
  }

  /** Element i of a vector of offsets (tables, strings). */
  vectorRef(vec: number, i: number, what: string): number {
    const pos = vec + 4 + 4 * i;
    const target = pos + this.u32(pos, what);
    this.check(target, 1, 4, what);
    return target;
  }

  int32Vector(vec: number | undefined, what: string): number[] {
    if (vec === undefined) return [];
    const n = this.vectorLength(vec, what);
    this.check(vec + 4, n, 4, what);
    return Array.from({ length: n }, (_, i) => this.view.getInt32(vec + 4 + 4 * i, true));
  }

  string(pos: number | undefined, what: string): string | undefined {
    if (pos === undefined) return undefined;
    const n = this.vectorLength(pos, what);
    this.check(pos + 4, n, 1, what);
    return new TextDecoder().decode(this.bytes.subarray(pos + 4, pos + 4 + n));
  }

  scalarField(table: number, index: number, kind: "u8" | "i32" | "f32", dflt: number, what: string): number {
    const pos = this.field(table, index, what);
    if (pos === undefined) return dflt;
    return kind === "u8" ? this.u8(pos, what) : kind === "i32" ? this.i32(pos, what) : this.f32(pos, what);
  }
}
