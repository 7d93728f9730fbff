// Password policy for console users. Follows NIST SP 800-63B §5.1.1.2: a length floor, a
// blocklist of common/expected values and context words (user name, email) rather than only
// composition rules. The 3-of-4 classes rule is kept because Chinese enterprise customers'
// security questionnaires (等保 2.0, GB/T 22239-2019 §8.1.4.1) ask for "complexity".

export type PasswordCheck =
  { ok: true } | { ok: false; code: 'weak_password'; detail: string; rules: string[] };

export interface PasswordContext {
  email?: string;
  name?: string;
}

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 128;
// Context words shorter than this are too likely to occur by chance ("li", "wu").
const MIN_CONTEXT_WORD = 3;

/**
 * Frequent entries of public leak-derived top lists (SplashData, NordPass, the 2011 CSDN leak
 * for the pinyin ones), lowercased. Shorter ones are caught by the length rule anyway; they are
 * listed so the detail names the real problem.
 */
const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password1',
  'password123',
  'password@123',
  'p@ssw0rd',
  'p@ssw0rd123',
  'passw0rd!',
  'passw0rd123',
  '12345678aa',
  'aa123456789',
  'a123456789',
  'abc123456789',
  'abcd1234!@#$',
  'qwertyuiop',
  'qwerty123456',
  'qwer1234!@#$',
  '1q2w3e4r5t',
  '1qaz2wsx3edc',
  '1qaz@wsx3edc',
  'zxcvbnm123',
  'iloveyou',
  'iloveyou123',
  'admin123',
  'admin@123',
  'admin@12345',
  'administrator',
  'woaini1314',
  'woaini520520',
  '5201314abc',
  'changeme123',
  'welcome@123',
]);

type Rule =
  | 'min_length'
  | 'max_length'
  | 'character_classes'
  | 'contains_email'
  | 'contains_name'
  | 'common_password'
  | 'repeated_character'
  | 'sequence';

/** Check a new password; returns every failed rule so the user fixes them in one go. */
export function checkPassword(password: string, context: PasswordContext): PasswordCheck {
  const failures: Array<[Rule, string]> = [];
  // Code points, not UTF-16 units: "密码" is 2 characters to the user, and so is an emoji.
  const chars = Array.from(password);
  const length = chars.length;
  if (length < PASSWORD_MIN_LENGTH) {
    failures.push([
      'min_length',
      `it has ${length} characters, at least ${PASSWORD_MIN_LENGTH} are needed`,
    ]);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    failures.push([
      'max_length',
      `it has ${length} characters, at most ${PASSWORD_MAX_LENGTH} are allowed`,
    ]);
  }

  const classes = countClasses(chars);
  if (classes < 3) {
    failures.push([
      'character_classes',
      `it uses ${classes} of 4 kinds of character (lowercase, uppercase, digits, other), at least 3 are needed`,
    ]);
  }

  // NFKC + lowercase so "ＺＨＡＮＧ" and "Zhang" are the same word; locale-free lowercasing.
  const folded = fold(password);
  const local = localPart(context.email);
  if (
    local !== undefined &&
    Array.from(fold(local)).length >= MIN_CONTEXT_WORD &&
    folded.includes(fold(local))
  ) {
    failures.push(['contains_email', 'it contains your email address']);
  }
  if (nameWords(context.name).some((word) => folded.includes(word))) {
    failures.push(['contains_name', 'it contains your name']);
  }

  if (COMMON_PASSWORDS.has(folded)) {
    failures.push(['common_password', 'it is one of the most common passwords']);
  }
  if (length > 0 && chars.every((c) => c === chars[0])) {
    failures.push(['repeated_character', 'it is a single character repeated']);
  } else if (isSimpleSequence(password) || isSimpleSequence(folded)) {
    // Both forms: folding catches "AbCdEf…", the raw form runs like "XYZ[\\]^_`abc".
    failures.push(['sequence', 'it is a simple sequence such as "abcdef" or "987654"']);
  }

  return failures.length === 0 ? { ok: true } : weak(failures);
}

function weak(failures: Array<[Rule, string]>): PasswordCheck {
  return {
    ok: false,
    code: 'weak_password',
    detail: `Password is too weak: ${failures.map(([, why]) => why).join('; ')}.`,
    rules: failures.map(([rule]) => rule),
  };
}

function countClasses(chars: readonly string[]): number {
  let lower = false;
  let upper = false;
  let digit = false;
  let other = false;
  for (const c of chars) {
    // Unicode categories, so "é" is lowercase and "Ж" uppercase; CJK (Lo) has no case → other.
    if (/^\p{Ll}$/u.test(c)) lower = true;
    else if (/^\p{Lu}$/u.test(c)) upper = true;
    else if (/^[0-9]$/.test(c)) digit = true;
    else other = true;
  }
  return Number(lower) + Number(upper) + Number(digit) + Number(other);
}

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase();
}

function localPart(email: string | undefined): string | undefined {
  if (typeof email !== 'string') return undefined;
  const at = email.lastIndexOf('@');
  const local = (at >= 0 ? email.slice(0, at) : email).trim();
  return local === '' ? undefined : local;
}

/** The whole name and each of its words: "Zhang Wei" bans "zhang wei", "zhangwei" and "zhang". */
function nameWords(name: string | undefined): string[] {
  if (typeof name !== 'string') return [];
  const folded = fold(name).trim();
  const words = folded.split(/[\s.\-_·]+/u);
  const candidates = [folded, words.join(''), ...words];
  return [...new Set(candidates)].filter((w) => Array.from(w).length >= MIN_CONTEXT_WORD);
}

/**
 * Consecutive code points ascending or descending by one ("abcdefghij", "9876543210"), also
 * the digit row as typed on a keyboard where 0 follows 9 ("1234567890").
 */
function isSimpleSequence(folded: string): boolean {
  const points = Array.from(folded, (c) => c.codePointAt(0) ?? 0);
  if (points.length < 3) return false;
  const step = (a: number, b: number): number => {
    // '9' → '0' continues an ascending digit run; '0' → '9' a descending one.
    if (a === 0x39 && b === 0x30) return 1;
    if (a === 0x30 && b === 0x39) return -1;
    return b - a;
  };
  const first = step(points[0] ?? 0, points[1] ?? 0);
  if (first !== 1 && first !== -1) return false;
  for (let i = 2; i < points.length; i++) {
    if (step(points[i - 1] ?? 0, points[i] ?? 0) !== first) return false;
  }
  return true;
}
