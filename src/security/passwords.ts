// Password hashing with scrypt (RFC 7914). The stored string names its parameters, so they can
// be raised later: old hashes still verify, and needsRehash() tells the login path to upgrade.
// Format: scrypt$N=32768,r=8,p=1$<salt base64>$<key base64>
// N=2^15, r=8, p=1 is OWASP's Password Storage Cheat Sheet minimum for scrypt (2023).
import { randomBytes, randomInt, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { promisify } from 'node:util';
import { checkPassword, type PasswordContext } from '../core/security/password-policy.ts';

// promisify on scrypt loses the options overload in @types/node; name the shape we use.
const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Uint8Array,
  keylen: number,
  options: ScryptOptions,
) => Promise<Buffer>;

interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

const CURRENT: ScryptParams = { N: 32768, r: 8, p: 1 };
const SALT_BYTES = 16;
const KEY_BYTES = 32;
// Node's default maxmem is 32 MiB; N=2^15, r=8 needs 128·N·r = 32 MiB plus change and
// throws ERR_CRYPTO_INVALID_SCRYPT_PARAMS without this.
const MIN_MAXMEM = 64 * 1024 * 1024;

// Bounds for parameters read back from storage: a corrupted or hostile row must not make a
// login allocate gigabytes or spin for minutes.
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

const FORMAT =
  /^scrypt\$N=(\d{1,8}),r=(\d{1,3}),p=(\d{1,3})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** Hash a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, CURRENT);
  return format(CURRENT, salt, key);
}

// Temporary passwords: read aloud or typed from a screen, so no look-alikes (0/O, 1/l/I) and only
// symbols every keyboard layout has. 64 characters, 6 bits each: 20 give 120 bits.
const TEMPORARY_ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_.@#%+=';
const TEMPORARY_LENGTH = 20;

/**
 * A random password that meets the password policy for this user. Every character is drawn
 * uniformly (crypto.randomInt, no modulo bias); a draw the policy refuses is drawn again, so
 * there is no fixed part an attacker could count on.
 */
export function generatePassword(context: PasswordContext = {}): string {
  for (;;) {
    let out = '';
    for (let i = 0; i < TEMPORARY_LENGTH; i++)
      out += TEMPORARY_ALPHABET[randomInt(TEMPORARY_ALPHABET.length)];
    if (checkPassword(out, context).ok) return out;
  }
}

/** Check a password against a stored hash. False, never a throw, for a malformed hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (typeof password !== 'string') return false;
  const parsed = parse(stored);
  if (parsed === undefined) return false;
  let key: Buffer;
  try {
    key = await derive(password, parsed.salt, parsed.key.length, parsed.params);
  } catch {
    return false;
  }
  // Equal lengths by construction (we derived key.length bytes), as timingSafeEqual requires.
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash was made with other parameters (or is not ours at all). */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  if (parsed === undefined) return true;
  return (
    parsed.params.N !== CURRENT.N ||
    parsed.params.r !== CURRENT.r ||
    parsed.params.p !== CURRENT.p ||
    parsed.salt.length !== SALT_BYTES ||
    parsed.key.length !== KEY_BYTES
  );
}

function derive(
  password: string,
  salt: Uint8Array,
  keyBytes: number,
  { N, r, p }: ScryptParams,
): Promise<Buffer> {
  // RFC 8265 §4.2 (OpaqueString) prepares passwords with NFC: the same Chinese or accented
  // password typed on two input methods can arrive in different normalisation forms.
  const prepared = password.normalize('NFC');
  // OpenSSL's scrypt needs 128·r·(N + p + 2) bytes; leave headroom for its bookkeeping.
  const maxmem = Math.max(MIN_MAXMEM, 128 * r * (N + p + 2) + 1024 * 1024);
  return scryptAsync(prepared, salt, keyBytes, { N, r, p, maxmem });
}

function format({ N, r, p }: ScryptParams, salt: Buffer, key: Buffer): string {
  return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | undefined {
  if (typeof stored !== 'string') return undefined;
  const m = FORMAT.exec(stored);
  if (m === null) return undefined;
  const [, n, r, p, saltB64, keyB64] = m;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  // RFC 7914 §2: N is a power of two greater than 1; r and p positive.
  const powerOfTwo = params.N > 1 && (params.N & (params.N - 1)) === 0;
  if (!powerOfTwo || params.N > MAX_N) return undefined;
  if (params.r < 1 || params.r > MAX_R || params.p < 1 || params.p > MAX_P) return undefined;
  const salt = strictBase64(saltB64 ?? '');
  const key = strictBase64(keyB64 ?? '');
  if (salt === undefined || key === undefined) return undefined;
  if (salt.length < 8 || key.length < 16 || key.length > 64) return undefined;
  return { params, salt, key };
}

/** Buffer.from(…, 'base64') skips junk silently; insist on the canonical encoding. */
function strictBase64(text: string): Buffer | undefined {
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
