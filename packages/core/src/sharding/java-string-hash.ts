/**
 * Java's `String.hashCode()`: s[0]*31^(n-1) + ... + s[n-1] in 32-bit two's complement, over
 * UTF-16 code units. ElasticJob's name-based strategies depend on it, so ours must match bit for bit.
 */
export function javaStringHash(value: string): number {
  let hash = 0;
  for (let i = 0; i < value.length; i++) hash = (Math.imul(hash, 31) + value.charCodeAt(i)) | 0;
  return hash;
}

/** Java's `Math.abs(int)`: `Integer.MIN_VALUE` stays negative, as in Java. */
export function javaIntAbs(value: number): number {
  return value === -2147483648 ? value : Math.abs(value);
}
