import { describe, expect, it } from 'vitest';
import { visibleBidi, withVisibleBidi } from '../../src/reports/model/display-text.js';

describe('bidi controls in evidence text', () => {
  it('are shown as code points, so text cannot be reordered on display', () => {
    expect(visibleBidi('invoice\u202Etxt.exe')).toBe('invoice[U+202E]txt.exe');
    expect(visibleBidi('a\u2066b\u2069c\u202Ad')).toBe('a[U+2066]b[U+2069]c[U+202A]d');
    expect(visibleBidi('plain ünïcödé עברית')).toBe('plain ünïcödé עברית');
  });

  it('are replaced in every string of a model, leaving untouched parts shared', () => {
    const clean = { n: 1, list: ['x', 'y'] };
    const model = { a: 'ok', nested: { name: 'evil\u202Egnp.exe', tags: ['t\u2067', 'fine'] }, clean, none: null };
    const out = withVisibleBidi(model);
    expect(out).toEqual({ a: 'ok', nested: { name: 'evil[U+202E]gnp.exe', tags: ['t[U+2067]', 'fine'] }, clean, none: null });
    expect(out.clean).toBe(clean);
    expect(model.nested.name).toBe('evil\u202Egnp.exe');
    expect(withVisibleBidi(clean)).toBe(clean);
  });
});
