// Response bodies read with a hard byte limit (OWASP API4, unrestricted resource consumption): a huge or
// endless body is cut off as soon as it crosses the limit instead of being buffered whole, and the
// connection is released. The caller names the error, so each connector keeps its own contract-violation type.

/** Release a response's connection without reading its body. */
export async function discardBody(res: Response): Promise<void> {
  await res.body?.cancel().catch(() => undefined);
}

/** The body's bytes, or `tooLarge()` thrown once the declared or the streamed size passes `maxBytes`. */
export async function readBodyLimited(
  res: Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await discardBody(res);
    throw tooLarge();
  }
  if (!res.body) return Buffer.alloc(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
