// Time-based one-time passwords for console 2FA: RFC 6238 (TOTP) over RFC 4226 (HOTP) with
// HMAC-SHA-1, 6 digits, 30-second steps — the only combination every authenticator app supports.
// Secrets travel as RFC 4648 §6 base32, which is what otpauth:// URIs and apps expect.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE32_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
// RFC 4226 §4 R6 recommends a 160-bit shared secret.
const SECRET_BYTES = 20;
const DEFAULT_DIGITS = 6;
const DEFAULT_STEP = 30;
const DEFAULT_WINDOW = 1;

export interface TotpOptions {
  /** 6 to 10; RFC 4226 §5.3 R4 requires at least 6. */
  digits?: number;
  /** Time step in seconds (RFC 6238 §4.1 X). */
  step?: number;
}

export interface VerifyOptions extends TotpOptions {
  /** Steps accepted either side of the current one, for clock drift (RFC 6238 §5.2). */
  window?: number;
}

export type TotpVerification = { ok: true; step: number } | { ok: false };

/** A new random secret, base32 without padding (32 characters). */
export function generateTotpSecret(): string {
  return base32Encode(randomBytes(SECRET_BYTES));
}

/** The code for `time` (milliseconds since the epoch). */
export function totpCode(secretBase32: string, time: number, opts: TotpOptions = {}): string {
  const { digits, step } = checkOptions(opts);
  return hotp(secretKey(secretBase32), stepAt(time, step), digits);
}

/**
 * Check a code typed by the user. On success returns the step counter that matched: callers
 * store it and refuse any later code with a counter ≤ the stored one (RFC 6238 §5.2, "the
 * verifier MUST NOT accept the second attempt of the OTP after the successful validation").
 */
export function verifyTotp(
  secretBase32: string,
  code: string,
  time: number,
  opts: VerifyOptions = {},
): TotpVerification {
  const { digits, step } = checkOptions(opts);
  const window = opts.window ?? DEFAULT_WINDOW;
  if (!(Number.isSafeInteger(window) && window >= 0 && window <= 10)) {
    throw new RangeError(`window must be an integer from 0 to 10, got ${window}`);
  }
  const key = secretKey(secretBase32);
  if (typeof code !== 'string') return { ok: false };
  // Apps show "123 456"; people paste it with the space.
  const typed = code.replace(/\s/g, '');
  if (!new RegExp(`^\\d{${digits}}$`).test(typed)) return { ok: false };
  const typedBytes = Buffer.from(typed, 'ascii');
  const current = stepAt(time, step);
  let matched: number | undefined;
  // Check every candidate, no early exit, so timing does not reveal which step matched.
  for (let offset = -window; offset <= window; offset++) {
    const counter = current + offset;
    if (counter < 0) continue;
    const expected = Buffer.from(hotp(key, counter, digits), 'ascii');
    if (timingSafeEqual(expected, typedBytes) && matched === undefined) matched = counter;
  }
  return matched === undefined ? { ok: false } : { ok: true, step: matched };
}

/**
 * The otpauth:// URI for a QR code (Google Authenticator "Key Uri Format"):
 * otpauth://totp/Issuer:account?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
 */
export function totpUri(secret: string, account: string, issuer = 'Hongyan'): string {
  // The label's issuer prefix is split on ":"; neither part may contain one (Key Uri Format).
  if (issuer.includes(':') || account.includes(':')) {
    throw new RangeError('issuer and account must not contain ":"');
  }
  if (issuer.trim() === '' || account.trim() === '') {
    throw new RangeError('issuer and account must not be empty');
  }
  // Canonical form, and refuse to print a QR code for a secret the app could not use.
  const canonical = base32Encode(secretKey(secret));
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${canonical}`,
    `issuer=${encodeURIComponent(issuer)}`,
    'algorithm=SHA1',
    `digits=${DEFAULT_DIGITS}`,
    `period=${DEFAULT_STEP}`,
  ].join('&');
  return `otpauth://totp/${label}?${query}`;
}

/** RFC 4648 §6 base32, upper case, without "=" padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET.charAt((buffer >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET.charAt((buffer << (5 - bits)) & 31);
  return out;
}

/**
 * RFC 4648 §6 base32 decoding. Lenient where people are (case, spaces, missing padding),
 * strict where a typo would silently change the key (foreign characters, impossible lengths,
 * non-zero trailing bits — RFC 4648 §3.5 lets decoders reject those).
 */
export function base32Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('base32 input must be a string');
  const cleaned = text.replace(/\s/g, '').toUpperCase().replace(/=+$/, '');
  if (cleaned === '') return new Uint8Array(0); // RFC 4648 §10: BASE32("") = ""
  // Only these remainders can end a base32 string: 0, 2, 4, 5 or 7 characters (8 per 5 bytes).
  if (![0, 2, 4, 5, 7].includes(cleaned.length % 8)) {
    throw new RangeError(`base32 input has an impossible length (${cleaned.length})`);
  }
  const out = new Uint8Array(Math.floor((cleaned.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const ch of cleaned) {
    const value = BASE32_ALPHABET.indexOf(ch);
    if (value < 0) throw new RangeError(`"${ch}" is not a base32 character`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out[index++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new RangeError('base32 input has non-zero padding bits');
  }
  return out;
}

function secretKey(secretBase32: string): Uint8Array {
  const key = base32Decode(secretBase32);
  // RFC 4226 §4 R6: the shared secret MUST be at least 128 bits.
  if (key.length < 16) {
    throw new RangeError(`TOTP secret is ${key.length * 8} bits, at least 128 are required`);
  }
  return key;
}

function checkOptions(opts: TotpOptions): { digits: number; step: number } {
  const digits = opts.digits ?? DEFAULT_DIGITS;
  const step = opts.step ?? DEFAULT_STEP;
  if (!(Number.isSafeInteger(digits) && digits >= 6 && digits <= 10)) {
    throw new RangeError(`digits must be an integer from 6 to 10, got ${digits}`);
  }
  if (!(Number.isSafeInteger(step) && step >= 1)) {
    throw new RangeError(`step must be a positive whole number of seconds, got ${step}`);
  }
  return { digits, step };
}

/** RFC 6238 §4.2: T = floor((unix time - T0) / X), T0 = 0. */
function stepAt(timeMs: number, step: number): number {
  if (!(Number.isFinite(timeMs) && timeMs >= 0)) {
    throw new RangeError(`time must be a non-negative number of milliseconds, got ${timeMs}`);
  }
  return Math.floor(timeMs / 1000 / step);
}

/** RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, dynamic truncation, mod 10^digits. */
function hotp(key: Uint8Array, counter: number, digits: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(message).digest();
  const offset = (mac[mac.length - 1] ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return (binary % 10 ** digits).toString().padStart(digits, '0');
}
