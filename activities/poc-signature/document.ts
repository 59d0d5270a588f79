// The certification request the physician's office receives (pdf-lib): what is asked (sign and date the plan of
// care, or its recertification), by when, how to send it back, and the reference that matches the return. One
// page; the clinical plan of care itself travels with it when the EMR provides it (PhysicianDocumentContent
// `reference`). Never logged.
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import type { SignatureCycle } from '../../domain/care/poc-signature.js';
import type { IsoDate } from '../../domain/core/dates.js';

export interface SignatureRequestContent {
  practiceName: string;
  recipientName: string;
  reference: string;
  cycle: SignatureCycle;
  dueBy: IsoDate;
  purpose: 'original' | 'reminder';
}

/** Renders the one-page request; returns the PDF bytes and its page count. */
export async function renderSignatureRequest(
  content: SignatureRequestContent,
): Promise<{ bytes: Uint8Array; pageCount: number }> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(`Plan of care certification request ${content.reference}`);
  pdf.setProducer('ptflow');
  pdf.setCreator('ptflow');
  const page = pdf.addPage([612, 792]);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  let y = 740;
  const line = (text: string, size = 11, font = regular) => {
    page.drawText(text, { x: 56, y, size, font, color: rgb(0, 0, 0) });
    y -= size + 9;
  };
  const recert = content.cycle.kind === 'recertification';
  line(
    content.purpose === 'reminder' ? 'REMINDER - signature still needed' : 'Signature requested',
    10,
    bold,
  );
  line(recert ? 'Plan of care recertification' : 'Plan of care certification', 18, bold);
  line(`From: ${content.practiceName}`);
  line(`To: ${content.recipientName}`);
  line(`Reference: ${content.reference}`, 11, bold);
  y -= 8;
  if (content.cycle.kind === 'initial') {
    line(`First treatment day: ${content.cycle.firstTreatmentDate}`);
  } else {
    line(`Recertified period: ${content.cycle.certifiedFrom} to ${content.cycle.certifiedThrough}`);
  }
  line(`Please sign and date by: ${content.dueBy}`, 11, bold);
  y -= 8;
  line('Medicare requires the certifying physician or NPP to sign and date the plan of care.');
  line('Return this page with the signed plan of care by fax or Direct message, keeping the reference.');
  y -= 24;
  line('I certify the need for these services under this plan of care while under my care.');
  y -= 30;
  line('Signature: ________________________________    Date: ______________');
  line('Printed name / NPI: ________________________________');
  const bytes = await pdf.save();
  return { bytes, pageCount: pdf.getPageCount() };
}
