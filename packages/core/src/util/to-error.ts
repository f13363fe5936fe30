/** Normalises whatever was thrown into an Error, keeping the original as the cause. */
export function toError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown), { cause: thrown });
}
