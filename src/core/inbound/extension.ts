// Extension codes (扩展码): each tenant's digits after the channel's service number. Outbound
// messages carry them in the sender address, so a reply to that address names the tenant.
//
// Decision: codes may be prefixes of one another (`12` and `1234`), exact duplicates may not.
// A reply goes to the LONGEST code its digits start with; what follows the code is the tenant's
// own sub-code (a user, a campaign: carriers pass on digits appended to the sender address). So
// `12` owns `1235…` but not `1234…`. Codes assigned automatically never collide that way.

/** Longest code an operator may set; the whole address must also stay within 20 digits. */
export const EXTENSION_MAX_DIGITS = 12;
/** SMPP source_addr and CMPP Src_Id hold 21 octets; displayed 106 numbers are ≤ 20 digits. */
export const ADDRESS_MAX_DIGITS = 20;
export const DEFAULT_EXTENSION_DIGITS = 4;

/** Why `code` cannot be an extension code, or null when it can. */
export function extensionProblem(
  code: string,
  serviceNumbers: readonly string[] = [],
): string | null {
  if (!/^[0-9]+$/.test(code)) return 'an extension code is digits only';
  if (code.length > EXTENSION_MAX_DIGITS)
    return `an extension code has at most ${EXTENSION_MAX_DIGITS} digits`;
  const longest = serviceNumbers.reduce((a, b) => (b.length > a.length ? b : a), '');
  if (longest.length + code.length > ADDRESS_MAX_DIGITS)
    return `service number ${longest} + ${code} would be longer than ${ADDRESS_MAX_DIGITS} digits`;
  return null;
}

/**
 * The longest code that `rest` (the digits after the service number) starts with, and the
 * digits after it. `codes` maps code → owner.
 */
export function longestExtension<T>(
  rest: string,
  codes: ReadonlyMap<string, T>,
): { code: string; owner: T; subCode: string } | null {
  for (const code of extensionCandidates(rest)) {
    const owner = codes.get(code);
    if (owner !== undefined) return { code, owner, subCode: rest.slice(code.length) };
  }
  return null;
}

/** Every code `rest` could carry, longest first (what to look up). */
export function extensionCandidates(rest: string): string[] {
  const out: string[] = [];
  for (let n = Math.min(rest.length, EXTENSION_MAX_DIGITS); n >= 1; n--) out.push(rest.slice(0, n));
  return out.filter((c) => /^[0-9]+$/.test(c));
}

/**
 * The next code to hand out automatically: `digits` digits, no leading zero, following the
 * highest one of that length, and neither a prefix of a code in `taken` nor starting with one,
 * so an automatic code never takes another tenant's replies. (Callers count recently released
 * codes as taken: late replies to a code must not reach its next owner.) When that length is
 * full: the smallest free one, then one digit more.
 */
export function nextExtension(taken: readonly string[], digits = DEFAULT_EXTENSION_DIGITS): string {
  return new ExtensionAllocator(taken, digits).next();
}

/** nextExtension for many tenants at once: the codes in use are indexed once. */
export class ExtensionAllocator {
  readonly #inUse = new Set<string>();
  readonly #prefixesInUse = new Set<string>();
  readonly #highest = new Map<number, number>();

  constructor(
    taken: readonly string[],
    private readonly digits = DEFAULT_EXTENSION_DIGITS,
  ) {
    for (const t of taken) this.add(t);
  }

  add(code: string): void {
    this.#inUse.add(code);
    for (let n = 1; n <= code.length; n++) this.#prefixesInUse.add(code.slice(0, n));
    if (/^[1-9][0-9]*$/.test(code))
      this.#highest.set(code.length, Math.max(this.#highest.get(code.length) ?? 0, Number(code)));
  }

  /** The next free code (not yet added: call add once it is stored). */
  next(): string {
    for (let d = Math.max(1, this.digits); d <= EXTENSION_MAX_DIGITS; d++) {
      const min = d === 1 ? 1 : 10 ** (d - 1);
      const max = 10 ** d - 1;
      const highest = this.#highest.get(d) ?? min - 1;
      // Bounded: short codes set by operators can block whole ranges (`1` blocks every 1…).
      let budget = 200_000;
      for (let n = highest + 1; n <= max && budget-- > 0; n++)
        if (!this.#clashes(String(n))) return String(n);
      for (let n = min; n <= highest && budget-- > 0; n++)
        if (!this.#clashes(String(n))) return String(n);
    }
    throw new Error('no extension code left');
  }

  #clashes(code: string): boolean {
    if (this.#prefixesInUse.has(code)) return true;
    for (let n = 1; n < code.length; n++) if (this.#inUse.has(code.slice(0, n))) return true;
    return false;
  }
}
