// @vitest-environment jsdom
// The live run page's overview parts: the loud flag when the model loses to a baseline, and the
// parameter summary.
import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { defaultSpec } from '../../../core/spec.js';
import BaselineFlag from '../../../renderer/src/components/run/BaselineFlag.svelte';
import ParamSummary from '../../../renderer/src/components/run/ParamSummary.svelte';

const test = { 'test.mae': 1.2, 'naive.mae': 1.6, 'ets.mae': 1, season_length: 1 };

describe('run overview', () => {
  it('flags a loss to a baseline, naming only the baselines that win', () => {
    render(BaselineFlag, { test });
    const flag = screen.getByTestId('baseline-flag').textContent!;
    expect(flag).toContain('The model loses to ETS by 20% MAE');
    expect(flag).not.toContain('naive');
  });

  it('shows no flag when the model beats every baseline', () => {
    render(BaselineFlag, { test: { ...test, 'ets.mae': 1.5 } });
    expect(screen.queryByTestId('baseline-flag')).toBeNull();
  });

  it('lists the parameters', () => {
    const spec = defaultSpec('y');
    spec.window.lookback = 12;
    render(ParamSummary, { spec });
    const text = screen.getByTestId('param-summary').textContent!.replace(/\s+/g, ' ');
    expect(text).toContain('Cell gru');
    expect(text).toContain('Lookback 12');
    expect(text).toContain('Optimizer adam');
  });
});
