// What a rendered template is: one text for SMS and a subject + plain-text body for email.
export interface RenderedMessage {
  /** Plain text, at most SMS_MAX_CHARS characters. */
  sms: string;
  subject: string;
  /** Plain-text email body (no HTML: nothing to sanitise, nothing for a tracker to hide in). */
  text: string;
}

/** Longest SMS we send: two GSM-7 concatenated segments (or five UCS-2 ones for accented Spanish). */
export const SMS_MAX_CHARS = 320;

/** Practice identity used in replies to inbound keywords. */
export interface PracticeContact {
  practiceName: string;
  practicePhone: string;
}
