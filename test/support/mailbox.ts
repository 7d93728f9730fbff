// A real SMTP server on 127.0.0.1 (the smtp-server package) that keeps every mail it receives, for
// the tests of what the platform emails: low-balance notices, announcements. `smtp` is the
// platform's `notifications.smtp` setting that points at it.
import { SMTPServer } from 'smtp-server';
import { freePort } from './embedded-postgres.ts';

export interface Mail {
  to: string[];
  /** The raw message: headers, blank line, body. */
  data: string;
}

export interface Mailbox {
  mails: Mail[];
  smtp: {
    host: string;
    port: number;
    secure: false;
    user: null;
    password: null;
    from: string;
  };
  /** While set, a mail's data is accepted only once this settles (a slow mail server). */
  hold: Promise<void> | null;
  close(): Promise<void>;
}

export async function startMailbox(): Promise<Mailbox> {
  const port = await freePort();
  const box: Mailbox = {
    mails: [],
    smtp: {
      host: '127.0.0.1',
      port,
      secure: false,
      user: null,
      password: null,
      from: 'noreply@hongyan.test',
    },
    hold: null,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, done) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        void (box.hold ?? Promise.resolve()).then(() => {
          box.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          done();
        });
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return box;
}

/** A header of a raw mail, unfolded, with RFC 2047 encoded words (=?UTF-8?B?…?=) decoded. */
export function header(mail: Mail, name: string): string | undefined {
  const head = mail.data.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  const line = head
    .split(/\r?\n/)
    .find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  if (line === undefined) return undefined;
  return line
    .slice(name.length + 1)
    .trim()
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc: string, text: string) =>
      enc.toLowerCase() === 'b'
        ? Buffer.from(text, 'base64').toString('utf8')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
    );
}
