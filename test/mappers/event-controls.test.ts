import { describe, expect, it } from 'vitest';
import { listFrameworkIds, loadFramework } from '../../src/frameworks/load.js';
import { ControlEventMapper, controlEventRules } from '../../src/mappers/event-controls.js';

const frameworks = listFrameworkIds().map((id) => loadFramework(id).framework);

describe('ControlEventMapper', () => {
  it('derives event rules from the frameworks’ no_sensitive_changes expectations', () => {
    const rules = controlEventRules(frameworks);
    expect(rules.length).toBeGreaterThan(0);
    for (const r of rules) {
      const control = frameworks.find((f) => f.id === r.value.framework)?.controls.find((c) => c.id === r.value.control);
      const cats = control?.evidence.filter((e) => e.rule === 'no_sensitive_changes').flatMap((e) => (e.params['categories'] as string[] | undefined) ?? []);
      expect(cats, `${r.value.framework} ${r.value.control}`).toContain(r.value.category);
    }
  });

  it('maps a logging change to every control that watches logging changes, and a read to none', () => {
    const mapper = ControlEventMapper.forFrameworks(frameworks);
    const hits = mapper.controlsFor({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging', readOnly: false, requestParameters: {} });
    const expected = frameworks.flatMap((f) =>
      f.controls
        .filter((c) => c.evidence.some((e) => e.rule === 'no_sensitive_changes' && ((e.params['categories'] as string[] | undefined) ?? []).includes('logging_change')))
        .map((c) => `${f.id}:${c.id}`),
    );
    expect(expected.length).toBeGreaterThan(0);
    expect([...new Set(hits.map((h) => `${h.framework}:${h.control}`))].sort()).toEqual([...new Set(expected)].sort());
    expect(hits.every((h) => h.category === 'logging_change')).toBe(true);
    expect(mapper.controlsFor({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'DescribeTrails', readOnly: true, requestParameters: {} })).toEqual([]);
  });
});
