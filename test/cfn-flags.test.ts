import { describe, expect, it } from 'vitest';
import { flagState } from '../src/cfn/values.js';

describe('flagState', () => {
  it('tells booleans, their text forms, missing and computed values apart', () => {
    expect(flagState(true)).toBe('true');
    expect(flagState('true')).toBe('text-true');
    expect(flagState('True')).toBe('text-true');
    expect(flagState(false)).toBe('false');
    expect(flagState('FALSE')).toBe('false');
    expect(flagState(undefined)).toBe('missing');
    expect(flagState({ 'Fn::If': ['C', true, false] })).toBe('computed');
    expect(flagState({ Ref: 'Flag' })).toBe('computed');
    expect(flagState('yes')).toBe('computed');
    expect(flagState(1)).toBe('computed');
    expect(flagState(null)).toBe('computed');
  });
});
