// DEQUANTIZE int8 or int16 -> float32 (TFLite reference_ops Dequantize: scale as double, result rounded to float).
export function dequantizeS8F32(input: Int8Array | Int16Array, scale: number, zeroPoint: number, output: Float32Array): void {
  for (let i = 0; i < input.length; i++) output[i] = Math.fround(scale * (input[i]! - zeroPoint));
}
