// Encryption at rest for message bodies: AES-256-GCM (NIST SP 800-38D) with a keyring so keys
// can rotate without re-encrypting old rows — each row stores the id of the key that sealed it.
// Stored form: base64(IV 12 bytes || ciphertext || tag 16 bytes). 96-bit random IVs are the
// SP 800-38D §8.2.2 construction; stay well under 2^32 messages per key, then rotate.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface Keyring {
  currentKeyId: string;
  keys: Record<string, Uint8Array /* 32 bytes */>;
}

export interface SealedText {
  keyId: string;
  data: string;
}

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
// Key ids are stored in a column next to every row; keep them short and boring.
const KEY_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Parse `k1:base64key,k2:base64key`; the first entry is the current (encrypting) key.
 * Error messages name the entry but never echo key material, since they end up in logs.
 */
export function parseKeyring(spec: string): Keyring {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new Error('encryption keyring is empty: expected "id:base64key[,id:base64key…]"');
  }
  // A null-prototype object: ids like "__proto__" or "toString" must not hit Object.prototype.
  const keys = Object.create(null) as Record<string, Uint8Array>;
  let currentKeyId: string | undefined;
  spec.split(',').forEach((raw, index) => {
    const entry = raw.trim();
    const where = `encryption keyring entry ${index + 1}`;
    if (entry === '') throw new Error(`${where} is empty (stray comma?)`);
    const colon = entry.indexOf(':');
    if (colon < 0) throw new Error(`${where} has no ":" between key id and key`);
    const id = entry.slice(0, colon).trim();
    const material = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id)) {
      throw new Error(`${where} has an invalid key id (1-32 of A-Z a-z 0-9 _ . -)`);
    }
    if (Object.hasOwn(keys, id)) throw new Error(`${where}: duplicate key id "${id}"`);
    if (material === '' || !BASE64.test(material)) {
      throw new Error(`${where} (key id "${id}"): key is not valid base64`);
    }
    const key = new Uint8Array(Buffer.from(material, 'base64'));
    if (key.length !== KEY_BYTES) {
      throw new Error(
        `${where} (key id "${id}"): key is ${key.length} bytes, AES-256 needs ${KEY_BYTES}`,
      );
    }
    keys[id] = key;
    currentKeyId ??= id;
  });
  if (currentKeyId === undefined) throw new Error('encryption keyring is empty');
  return { currentKeyId, keys };
}

/**
 * Encrypt with the current key. `aad` (e.g. the message id) is authenticated but not stored:
 * decryption must present the same value, so a body copied onto another row will not open.
 */
export function encryptText(keyring: Keyring, plaintext: string, aad?: string): SealedText {
  if (typeof plaintext !== 'string') throw new TypeError('plaintext must be a string');
  // UTF-8 encoding would silently replace a lone surrogate with U+FFFD; refuse instead of
  // storing something other than what we were given.
  if (/\p{Cs}/u.test(plaintext)) throw new Error('plaintext contains a lone UTF-16 surrogate');
  checkAad(aad);
  const keyId = keyring.currentKeyId;
  const key = keyFor(keyring, keyId);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const data = Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
  return { keyId, data };
}

/** Decrypt a stored body; throws if the key is unknown or anything fails to authenticate. */
export function decryptText(keyring: Keyring, keyId: string, data: string, aad?: string): string {
  checkAad(aad);
  const key = keyFor(keyring, keyId);
  if (typeof data !== 'string' || !BASE64.test(data)) {
    throw new Error(`encrypted data (key "${keyId}") is not valid base64`);
  }
  const sealed = Buffer.from(data, 'base64');
  if (sealed.length < IV_BYTES + TAG_BYTES) {
    throw new Error(`encrypted data (key "${keyId}") is too short: ${sealed.length} bytes`);
  }
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
  // authTagLength pins the tag size: GCM would otherwise accept a truncated 4-byte tag.
  const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch (cause) {
    throw new Error(
      `encrypted data (key "${keyId}") failed authentication: wrong key, wrong aad, or tampered`,
      { cause },
    );
  }
}

// GCM cannot tell an empty AAD from none, so "" would bind a body to no row at all while
// looking as if it did; an empty message id here is a caller bug.
function checkAad(aad: string | undefined): void {
  if (aad !== undefined && (typeof aad !== 'string' || aad === '')) {
    throw new Error('aad must be a non-empty string (or omitted)');
  }
}

function keyFor(keyring: Keyring, keyId: string): Uint8Array {
  const key = Object.hasOwn(keyring.keys, keyId) ? keyring.keys[keyId] : undefined;
  if (key === undefined) throw new Error(`unknown encryption key id "${keyId}"`);
  if (key.length !== KEY_BYTES) {
    throw new Error(`encryption key "${keyId}" is ${key.length} bytes, AES-256 needs ${KEY_BYTES}`);
  }
  return key;
}
