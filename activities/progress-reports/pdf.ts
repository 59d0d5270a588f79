// Lays a physician report (domain/care/physician-report.ts) out as a PDF with pdf-lib: US Letter, the practice
// header, the title, then the sections; at most two pages. A report that does not fit in two pages at 10 pt is
// set at 9 and then 8 pt; if it still does not fit, the text is cut at the end of page two with a note that the
// full signed report is in the EMR (the PDF never grows a third page). Deterministic for the same content and
// date (the document dates are the report's signing time), and its metadata carry no PHI (title and producer
// only).
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { PhysicianReportContent } from '../../domain/care/physician-report.js';

export const MAX_REPORT_PAGES = 2;
const PAGE = { width: 612, height: 792 };
const MARGIN = 54;
const FONT_SIZES = [10, 9, 8] as const;
const TRUNCATED = '[Shortened to two pages: the full signed report is in the EMR.]';

/** Text the standard (WinAnsi) fonts can draw: anything else becomes '?', control characters a space. */
export function winAnsiSafe(text: string): string {
  return text
    .replace(/[\u2192]/g, '->')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2013]/g, '-')
    .replace(/\p{Cc}/gu, ' ')
    .replace(/[^\u0020-\u007e\u00a0-\u00ff\u2014]/gu, '?');
}

function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of winAnsiSafe(text).split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) out.push(line);
    // A single word wider than the line is cut by characters.
    let rest = word;
    while (font.widthOfTextAtSize(rest, size) > width) {
      let n = rest.length - 1;
      while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
      out.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    line = rest;
  }
  if (line) out.push(line);
  return out.length ? out : [''];
}

interface Line {
  text: string;
  bold: boolean;
  size: number;
  /** Extra space before the line. */
  gap: number;
}

function layoutLines(content: PhysicianReportContent, regular: PDFFont, bold: PDFFont, size: number): Line[] {
  const width = PAGE.width - 2 * MARGIN;
  const lines: Line[] = [];
  const add = (text: string, isBold: boolean, lineSize: number, gap: number) => {
    wrap(text, isBold ? bold : regular, lineSize, width).forEach((t, i) =>
      lines.push({ text: t, bold: isBold, size: lineSize, gap: i === 0 ? gap : 0 }),
    );
  };
  content.header.forEach((h, i) => add(h, i === 0, i === 0 ? size + 3 : size, 0));
  add(content.title, true, size + 4, size);
  for (const section of content.sections) {
    add(section.heading, true, size + 1, size * 0.8);
    for (const paragraph of section.lines) add(paragraph, false, size, 2);
  }
  add(content.footer, false, size - 1, size);
  return lines;
}

/** Splits lines into pages; returns undefined when they need more than the maximum. */
function paginate(lines: Line[]): Line[][] | undefined {
  const pages: Line[][] = [[]];
  let y = PAGE.height - MARGIN;
  for (const line of lines) {
    const step = line.size * 1.3 + line.gap;
    if (y - step < MARGIN) {
      if (pages.length === MAX_REPORT_PAGES) return undefined;
      pages.push([]);
      y = PAGE.height - MARGIN;
    }
    pages[pages.length - 1]!.push(line);
    y -= step;
  }
  return pages;
}

/** The pages at the smallest acceptable size, cut at the end of page two when even that does not fit. */
function fit(content: PhysicianReportContent, regular: PDFFont, bold: PDFFont): Line[][] {
  for (const size of FONT_SIZES) {
    const pages = paginate(layoutLines(content, regular, bold, size));
    if (pages) return pages;
  }
  const size = 8;
  const lines = layoutLines(content, regular, bold, size);
  const note: Line = { text: TRUNCATED, bold: true, size, gap: size };
  // Drop lines from the end until the note fits as the last line of page two.
  for (let keep = lines.length - 1; keep > 0; keep--) {
    const pages = paginate([...lines.slice(0, keep), note]);
    if (pages) return pages;
  }
  return [[note]];
}

function drawPage(page: PDFPage, lines: Line[], regular: PDFFont, bold: PDFFont, pageNo: number, of: number) {
  let y = PAGE.height - MARGIN;
  for (const line of lines) {
    y -= line.gap + line.size;
    page.drawText(line.text, {
      x: MARGIN,
      y,
      size: line.size,
      font: line.bold ? bold : regular,
      color: rgb(0, 0, 0),
    });
    y -= line.size * 0.3;
  }
  const label = `Page ${pageNo} of ${of}`;
  page.drawText(label, {
    x: PAGE.width - MARGIN - regular.widthOfTextAtSize(label, 8),
    y: MARGIN / 2,
    size: 8,
    font: regular,
  });
}

/** The report as PDF bytes and its page count (1 or 2). */
export async function renderPhysicianReportPdf(
  content: PhysicianReportContent,
  opts: { createdAt: Date },
): Promise<{ pdf: Uint8Array; pageCount: number }> {
  const doc = await PDFDocument.create();
  doc.setTitle(winAnsiSafe(content.title));
  doc.setProducer('ptflow');
  doc.setCreator('ptflow');
  doc.setCreationDate(opts.createdAt);
  doc.setModificationDate(opts.createdAt);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const pages = fit(content, regular, bold);
  pages.forEach((lines, i) =>
    drawPage(doc.addPage([PAGE.width, PAGE.height]), lines, regular, bold, i + 1, pages.length),
  );
  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, pageCount: pages.length };
}
