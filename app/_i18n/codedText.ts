/**
 * Renders a coded message from lvs/ (a validation issue, an import diagnostic, a server error) in the
 * UI language: the catalogue entry `<namespace>.<code>` formatted with the message's params. A param
 * `detailCode` names a nested message (same namespace) that fills `{detail}`. Without a catalogue
 * entry (an older server, a code added on one side only) the English `message` is shown.
 */
export interface CodedMessage {
  code: string;
  params?: Record<string, string | number>;
  message: string;
}

export interface Catalogue {
  has(key: string): boolean;
  format(key: string, params: Record<string, string | number>): string;
}

/** `strict` (tests): a message that does not format throws instead of falling back to English. */
export function codedText(cat: Catalogue, namespace: string, m: CodedMessage, strict = false): string {
  const key = `${namespace}.${m.code}`;
  if (!cat.has(key)) return m.message;
  const { detailCode, ...params } = m.params ?? {};
  if (typeof detailCode === "string" && cat.has(`${namespace}.${detailCode}`)) {
    params.detail = cat.format(`${namespace}.${detailCode}`, params);
  }
  try {
    return cat.format(key, params);
  } catch (e) {
    if (strict) throw e;
    return m.message;
  }
}
