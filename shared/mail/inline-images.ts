/**
 * The email's HTML with every `cid:` image replaced by its PNG as a data URI, so the page shows its charts on its
 * own: the archived `.html` copy of a report and the screenshot tests. The sent message keeps `cid:` references and
 * carries the PNGs as inline MIME parts (mime.ts), as mail clients expect; a client's view of it is the same as this
 * (mailparser's `simpleParser` gives the same HTML: test/unit/mail-inline-images.test.ts).
 */
export function inlineImages(html: string, images: readonly { cid: string; png: Buffer }[] = []): string {
  const uri = new Map(images.map((c) => [c.cid, `data:image/png;base64,${c.png.toString('base64')}`]));
  // A reference is `cid:` and the whole id up to the attribute's quote: an id that begins another (a@x, a@x.y) never
  // replaces part of it.
  return html.replace(/cid:([^"'\s>]+)/g, (ref, id: string) => uri.get(id) ?? ref);
}
