// Parses a PDF back with pdfjs-dist (legacy build, runs in Node without a DOM): its page count, the text of each
// page, and the document's metadata. Tests use it to check what a generated PDF says (and does not say).
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface ParsedPdf {
  pageCount: number;
  pages: string[];
  /** All pages' text joined (items separated by spaces, pages by newlines). */
  text: string;
  info: Record<string, unknown>;
}

export async function parsePdf(bytes: Uint8Array): Promise<ParsedPdf> {
  // pdfjs takes ownership of (detaches) the buffer it is given: hand it a copy.
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, verbosity: 0 }).promise;
  try {
    const pages: string[] = [];
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      pages.push(
        content.items
          .map((item) => ('str' in item ? item.str : ''))
          .filter((s) => s !== '')
          .join(' '),
      );
    }
    const meta = await doc.getMetadata();
    return {
      pageCount: doc.numPages,
      pages,
      text: pages.join('\n'),
      info: (meta.info ?? {}) as Record<string, unknown>,
    };
  } finally {
    await doc.destroy();
  }
}
