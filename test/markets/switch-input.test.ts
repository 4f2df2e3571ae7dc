import { describe, expect, it } from 'vitest';
import { switchInput } from '../../markets/inputs.ts';

describe('a switch, however it is said', () => {
  it('reads booleans and on/off, true/false, yes/no in any case and with spaces', () => {
    expect([true, false, 'on', ' OFF ', 'True', 'false', 'yes', 'No'].map((said) => switchInput.parse(said))).toEqual([true, false, true, false, true, false, true, false]);
  });

  it('refuses anything else in words', () => {
    const refused = switchInput.safeParse('maybe');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('say on or off');
    expect(switchInput.safeParse(1).success).toBe(false);
  });
});
