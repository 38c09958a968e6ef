/**
 * The email's HTML with every `cid:` image replaced by its PNG as a data URI, so the page shows its charts on its
 * own: the archived `.html` copy of a report and the screenshot tests. The sent message keeps `cid:` references and
 * carries the PNGs as inline MIME parts (mime.ts), as mail clients expect.
 */
export function inlineImages(html: string, images: readonly { cid: string; png: Buffer }[] = []): string {
  return images.reduce(
    (out, c) => out.split(`cid:${c.cid}`).join(`data:image/png;base64,${c.png.toString('base64')}`),
    html,
  );
}
