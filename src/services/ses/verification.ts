/**
 * The address-verification mail SES sends when an email identity is
 * created (from no-reply-aws@amazon.com, "Amazon Web Services – Email Address
 * Verification Request in region <name>", a link valid 24 hours), and the
 * pages its link opens. On Stratus the link points at this server
 * (`<endpoint>/_stratus/ses/verify?token=...`) and the mail lands in the
 * inbox, so the tutorial's "open the link, refresh the console" step works
 * offline.
 * https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html#verify-email-addresses-procedure
 */
import { messageIdHeader, rfc5322Date, encodeWords, mimeBody } from './mime.js';
import { regionName } from './common.js';

export const VERIFICATION_SENDER = 'no-reply-aws@amazon.com';
export const LINK_LIFETIME_MS = 24 * 3600 * 1000;

export function verificationSubject(region: string): string {
  return `Amazon Web Services – Email Address Verification Request in region ${regionName(region)}`;
}

export function verificationMail(o: { messageId: string; date: Date; to: string; region: string; link: string }): Buffer {
  const where = regionName(o.region);
  const text = [
    'Dear Amazon Web Services Customer,',
    '',
    `We have received a request to authorize this email address for use with Amazon SES and Amazon Pinpoint in region ${where}. If you requested this verification, please go to the following URL to confirm that you are authorized to use this email address:`,
    '',
    o.link,
    '',
    'Your request will not be processed unless you confirm the address using this URL. This link expires 24 hours after your original verification request.',
    '',
    'If you did NOT request to verify this email address, do not click on the link.',
    '',
    'Sincerely,',
    '',
    'The Amazon Web Services Team.',
    '',
    '(Sent by Stratus: this message stays in the local inbox unless an SMTP relay is configured.)',
    '',
  ].join('\n');
  const head = [
    `Date: ${rfc5322Date(o.date)}`,
    `From: Amazon Web Services <${VERIFICATION_SENDER}>`,
    `To: ${o.to}`,
    `Message-ID: ${messageIdHeader(o.messageId)}`,
    `Subject: ${encodeWords(verificationSubject(o.region))}`,
    'MIME-Version: 1.0',
  ];
  return Buffer.from(head.join('\r\n') + '\r\n' + mimeBody({ text: { data: text, charset: 'UTF-8' } }), 'utf8');
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function page(title: string, heading: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:Arial,Helvetica,sans-serif;margin:60px auto;max-width:640px;color:#16191f}h1{font-size:26px}p{font-size:15px;line-height:1.5}</style>
</head><body><h1>${escapeHtml(heading)}</h1>${body}</body></html>
`;
}

export function verifiedPage(identity: string, region: string): string {
  return page(
    'Email Address Verification Request',
    'Congratulations!',
    `<p>You have successfully verified an email address. You can now start sending email from this address.</p><p><strong>${escapeHtml(identity)}</strong> is verified for Amazon SES in region ${escapeHtml(regionName(region))}.</p>`,
  );
}

export function invalidLinkPage(): string {
  return page('Email Address Verification Request', 'Verification failed', '<p>This verification link is not valid. It may belong to an identity that was deleted, or a newer verification email may have replaced it.</p>');
}

export function expiredLinkPage(identity: string): string {
  return page(
    'Email Address Verification Request',
    'Verification link expired',
    `<p>The link to verify <strong>${escapeHtml(identity)}</strong> expired 24 hours after it was sent. Request verification again to get a new link.</p>`,
  );
}
