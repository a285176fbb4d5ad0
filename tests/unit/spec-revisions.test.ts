import { PipelineLedger, type TransitionCause } from '../../pipeline/pipeline-ledger';
import type { PipelineSpec } from '../../pipeline/pipeline-spec';
import { NAMED_VARIABLES_LIMIT, describeChange, isSameSpec, specChange } from '../../pipeline/spec-change';
import { EARLIER_REVISIONS_BUDGET, SpecRevisions } from '../../pipeline/spec-revisions';

const original: PipelineSpec = {
  pipeline_id: 'orders-etl',
  name: 'Orders ETL',
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw', env: { RATE: '10' } },
    { name: 'transform', image: 'busybox:latest', replicas: 1, input: 'raw', output: 'clean', secret_env: { TOKEN: 'api-token' } },
    { name: 'sink', image: 'busybox:latest', replicas: 1, input: 'clean' },
  ],
};
const edited: PipelineSpec = {
  ...original,
  name: 'Orders ETL v2',
  components: [
    { name: 'source', image: 'busybox:latest', replicas: 1, output: 'raw', env: { RATE: '10' } },
    {
      name: 'transform',
      image: 'busybox:1.36',
      replicas: 3,
      input: 'raw',
      output: 'clean',
      env: { MODE: 'upper' },
      secret_env: { TOKEN: 'api-token-2' },
    },
    { name: 'archive', image: 'busybox:latest', replicas: 1, input: 'clean' },
  ],
};
const byApi = (requestId: string, reason = 'edit requested'): TransitionCause => ({
  command: 'edit',
  source: 'api',
  request_id: requestId,
  reason,
});

describe('specChange', () => {
  test('names components added, removed and changed, and the fields, never a value', () => {
    const change = specChange(original, edited);
    expect(change).toEqual({
      fields: ['name'],
      added: ['archive'],
      removed: ['sink'],
      changed: [{ component: 'transform', fields: ['image', 'replicas', 'env.MODE', 'secret_env.TOKEN'] }],
    });
    const text = JSON.stringify(change) + describeChange(change);
    for (const value of ['busybox:1.36', 'upper', 'api-token-2', 'Orders ETL v2']) expect(text).not.toContain(value);
    expect(describeChange(change)).toBe(
      'changed name; added archive; removed sink; changed transform (image, replicas, env.MODE, secret_env.TOKEN)',
    );
  });

  test('many changed variables are counted, not named, so a record stays small', () => {
    const many = Object.fromEntries(Array.from({ length: NAMED_VARIABLES_LIMIT + 5 }, (_, i) => [`V${i}`, 'x']));
    const manyVariables = {
      ...original,
      components: original.components.map((component) => (component.name === 'sink' ? { ...component, env: many } : component)),
    };
    expect(specChange(original, manyVariables).changed).toEqual([
      { component: 'sink', fields: [`env (${NAMED_VARIABLES_LIMIT + 5} variables)`] },
    ]);
  });

  test('a spec equal but for key order is the same spec; another component order is a change of its own', () => {
    const reordered = JSON.parse(
      JSON.stringify(original, [
        'components',
        'replicas',
        'name',
        'image',
        'pipeline_id',
        'input',
        'output',
        'env',
        'RATE',
        'secret_env',
        'TOKEN',
      ]),
    );
    expect(isSameSpec(original, reordered)).toBe(true);
    const swapped = { ...original, components: [...original.components].reverse() };
    expect(isSameSpec(original, swapped)).toBe(false);
    expect(specChange(original, swapped)).toEqual({ fields: ['component_order'], added: [], removed: [], changed: [] });
  });
});

describe('revisions in the ledger', () => {
  test('an edit makes the next revision, keeps the earlier one, records what changed, and leaves status and failure', () => {
    const ledger = PipelineLedger.create(original, 't0');
    ledger.transition('Failed', { command: null, source: 'workflow', request_id: null, reason: 'deploy failed' }, 't1', {
      operation: 'deploy',
      component: null,
      error: 'no',
      attempts: 1,
      at: 't1',
    });
    const revision = ledger.edit(edited, byApi('edit-1'), 't2');
    expect(revision).toEqual({ revision: 2, spec: edited, at: 't2', request_id: 'edit-1' });
    expect([ledger.status, ledger.specRevision, ledger.spec]).toEqual(['Failed', 2, edited]);
    expect(ledger.revision(1)?.spec).toEqual(original);
    expect(ledger.revisionMadeBy('edit-1')?.revision).toBe(2);
    const view = ledger.view();
    expect(view.failure?.operation).toBe('deploy');
    expect(view.updated_at).toBe('t2');
    expect(view.transitions.at(-1)).toEqual({
      seq: 2,
      at: 't2',
      from: 'Failed',
      to: 'Failed',
      command: 'edit',
      source: 'api',
      request_id: 'edit-1',
      reason:
        'edit requested: revision 2, changed name; added archive; removed sink; changed transform (image, replicas, env.MODE, secret_env.TOKEN)',
      outcome: 'applied',
      spec_revision: 2,
      spec_change: specChange(original, edited),
    });
    expect(ledger.statusMemo().pipeline_name).toBe('Orders ETL v2');
    expect(ledger.specMemo()).toEqual({ spec: edited, spec_revision: 2 });
  });

  test('revisions survive a snapshot, as they do continue-as-new; a never-edited pipeline carries none', () => {
    const fresh = PipelineLedger.create(original, 't0');
    expect(fresh.snapshot()).not.toHaveProperty('revisions');
    expect(PipelineLedger.restore(original, fresh.snapshot()).specRevision).toBe(1);

    fresh.edit(edited, byApi('edit-1'), 't1');
    fresh.edit(original, byApi('back-1', 'rollback to revision 1 requested'), 't2');
    const restored = PipelineLedger.restore(fresh.spec, fresh.snapshot());
    expect(restored.view()).toEqual(fresh.view());
    expect([1, 2, 3].map((revision) => restored.revision(revision)?.spec)).toEqual([original, edited, original]);
    expect(restored.revisionMadeBy('back-1')?.revision).toBe(3);
    // The current spec travels once, as the run's spec, not again among the revisions.
    expect(fresh.snapshot().revisions?.earlier_revisions.map(({ revision }) => revision)).toEqual([1, 2]);
    expect(fresh.snapshot().revisions).not.toHaveProperty('current_revision.spec');
  });
});

describe('SpecRevisions', () => {
  test('drops the oldest revisions beyond the budget, never the current one', () => {
    const big = (n: number): PipelineSpec => ({
      ...original,
      name: `v${n}`,
      components: [{ ...original.components[0], env: { PAD: 'x'.repeat(100_000) } }],
    });
    const revisions = SpecRevisions.restore(big(1), 't0', undefined);
    for (let n = 2; n <= 12; n += 1) revisions.add(big(n), `t${n}`, `r${n}`);
    const snapshot = revisions.snapshot();
    expect(snapshot?.current_revision).toEqual({ revision: 12, at: 't12', request_id: 'r12' });
    const earlier = snapshot?.earlier_revisions ?? [];
    expect(earlier[0].revision).toBeGreaterThan(1);
    expect(earlier.at(-1)?.revision).toBe(11);
    expect(JSON.stringify(earlier).length).toBeLessThanOrEqual(EARLIER_REVISIONS_BUDGET + earlier.length);
    expect(revisions.find(1)).toBeUndefined();
    expect(revisions.find(12)?.spec.name).toBe('v12');
  });
});
