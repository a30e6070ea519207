import { Fragment } from "react";

/**
 * A translated message whose literal program text (a kernel or ipvsadm error, a shell command) is
 * written in ASCII double quotes: the quoted parts are shown as code, verbatim, in every language,
 * and the prose around them is the UI language's. `"Numerical result out of range"` stays English
 * because it is what the kernel prints; it is not an untranslated sentence.
 */
export function QuotedCode({ text }: { text: string }) {
  const parts = splitQuoted(text);
  return (
    <>
      {parts.map((p, i) =>
        p.code ? <code key={i} className="rounded bg-slate-100 px-0.5 font-mono text-[0.95em] dark:bg-slate-800">{p.text}</code> : <Fragment key={i}>{p.text}</Fragment>,
      )}
    </>
  );
}

/** Text split into prose and the "quoted" literals (quotes removed); unbalanced quotes stay prose. */
export function splitQuoted(text: string): { text: string; code: boolean }[] {
  const out: { text: string; code: boolean }[] = [];
  const re = /"([^"\n]+)"/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), code: false });
    out.push({ text: m[1]!, code: true });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last), code: false });
  return out;
}
