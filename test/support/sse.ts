/**
 * Reads a Server-Sent Events body until the server ends it, `until` appears, or `ms` pass, then
 * lets go of it. `ended` says whether the server ended the stream.
 */
export async function readStream(body: ReadableStream<Uint8Array>, ms: number, until?: string) {
  const reader = body.getReader();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => r('timeout'), deadline - Date.now()),
    );
    const got = await Promise.race([reader.read(), timeout]);
    if (got === 'timeout') break;
    if (got.done) return { ended: true, text };
    text += new TextDecoder().decode(got.value);
    if (until && text.includes(until)) break;
  }
  await reader.cancel().catch(() => {});
  return { ended: false, text };
}
