import { benchOptions } from '../../bench/command-line';
import { SECTIONS } from '../../bench/sections';

describe("the benchmark's command line", () => {
  test('runs every section with no flag', () => {
    expect(benchOptions([])).toEqual({ sections: new Set(SECTIONS.filter((section) => section !== 'failover')), pipelines: undefined });
  });

  test('takes --only and --pipelines in either order', () => {
    const expected = { sections: new Set(['kubernetes', 'list']), pipelines: 50 };
    expect(benchOptions(['--only', 'kubernetes,list', '--pipelines', '50'])).toEqual(expected);
    expect(benchOptions(['--pipelines', '50', '--only', 'kubernetes,list'])).toEqual(expected);
  });

  test.each([
    ['--pipelines', '0'],
    ['--pipelines', '-3'],
    ['--pipelines', '2.5'],
    ['--pipelines', 'many'],
  ])('refuses %s %s', (...args) => {
    expect(() => benchOptions(args)).toThrow(/whole number of pipelines/);
  });

  test('refuses an unknown section, an unknown flag, a flag without its value and a repeated flag', () => {
    expect(() => benchOptions(['--only', 'kubernetes,nope'])).toThrow('unknown section nope');
    expect(() => benchOptions(['--fast', 'yes'])).toThrow(/^usage: npm run bench/);
    expect(() => benchOptions(['--only'])).toThrow(/^usage/);
    expect(() => benchOptions(['--pipelines', '5', '--pipelines', '6'])).toThrow(/^usage/);
  });
});
