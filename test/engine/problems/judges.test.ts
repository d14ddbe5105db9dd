// The built-in judges and the master-judge protocol, as pure functions: each rule on both sides.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeDifference,
  masterGeneric,
  masterPercentage,
  runBuiltinTestcaseJudge,
  tokensMatch,
  type TestcaseOutcome,
} from '../../../src/engine/problems/judges/builtin.js';
import {
  masterInput,
  parseJudgeScore,
  parseMasterOutput,
  parseStatus,
} from '../../../src/engine/problems/judges/protocol.js';

const AC = 15;
const WA = 14;

function judge(id: number, output: string, expected: string, sourceBytes = 10) {
  return runBuiltinTestcaseJudge(id, {
    output: Buffer.from(output),
    expected: Buffer.from(expected),
    sourceBytes,
  });
}

describe('judge 1: ignores extra whitespace', () => {
  it('accepts output differing only in spaces, tabs, CR and LF runs and at the ends', () => {
    const v = judge(1, '  1 \t 2\r\n\n3  \n\n', '1 2\n3\n');
    assert.equal(v.status, AC);
    assert.equal(v.score, 100);
  });

  it('rejects a different token', () => {
    assert.equal(judge(1, '1 2 4\n', '1 2 3\n').status, WA);
  });

  it('rejects whitespace inside a token (tokens are not glued together)', () => {
    assert.equal(judge(1, '12\n', '1 2\n').status, WA);
  });

  it('rejects a missing or an extra token', () => {
    assert.equal(judge(1, '1 2\n', '1 2 3\n').status, WA);
    assert.equal(judge(1, '1 2 3 4\n', '1 2 3\n').status, WA);
  });

  it('accepts empty against whitespace-only, rejects empty against text', () => {
    assert.equal(judge(1, '', ' \n').status, AC);
    assert.equal(judge(1, '', 'x').status, WA);
  });

  it('compares case and other characters exactly', () => {
    assert.equal(judge(1, 'Yes\n', 'YES\n').status, WA);
  });
});

describe('judges 2 and 3: floating point within 10^-2 and 10^-6', () => {
  it('judge 2 accepts numbers within 0.01, exactly at the bound too', () => {
    assert.equal(judge(2, '1.00 2.005\n', '1.01 2.0\n').status, AC);
    assert.equal(judge(2, '3.14\n', '3.1415926\n').status, AC);
  });

  it('judge 2 rejects numbers 0.011 apart', () => {
    assert.equal(judge(2, '1.011\n', '1.0\n').status, WA);
  });

  it('judge 3 accepts within 1e-6 and rejects 2e-6 apart', () => {
    assert.equal(judge(3, '0.333333\n', '0.3333333333\n').status, AC);
    assert.equal(judge(3, '1.000001\n', '1\n').status, AC);
    assert.equal(judge(3, '1.000002\n', '1\n').status, WA);
    assert.equal(judge(3, '3.14\n', '3.1415926\n').status, WA);
  });

  it('accepts exponent notation as a number', () => {
    assert.equal(judge(3, '1e-3\n', '0.001\n').status, AC);
  });

  it('compares words exactly and never matches a word with a number', () => {
    assert.equal(judge(2, 'x = 1.00\n', 'x = 1.001\n').status, AC);
    assert.equal(judge(2, 'y = 1.00\n', 'x = 1.00\n').status, WA);
    assert.equal(judge(2, 'nan\n', '0\n').status, WA);
  });

  it('ignores whitespace like judge 1 but needs the same number of tokens', () => {
    assert.equal(judge(2, ' 1.0\n\n 2.0 ', '1 2').status, AC);
    assert.equal(judge(2, '1.0', '1 2').status, WA);
  });

  it('keeps decimal bounds exact in binary floating point', () => {
    assert.equal(tokensMatch('1.01', '1.00', 0.01), true);
    assert.equal(tokensMatch('100.01', '100', 0.01), true);
    assert.equal(tokensMatch('100.0101', '100', 0.01), false);
  });
});

describe('judge 4: score is source length', () => {
  it('scores the source length in bytes when accepted', () => {
    const v = judge(4, '42\n', '42', 1234);
    assert.equal(v.status, AC);
    assert.equal(v.score, 1234);
  });

  it('scores 0 when the output is wrong', () => {
    const v = judge(4, '41\n', '42', 1234);
    assert.equal(v.status, WA);
    assert.equal(v.score, 0);
  });
});

describe('judge 9: academy', () => {
  it('accepts like judge 1, with nothing to show', () => {
    const v = judge(9, 'a  b\n', 'a b');
    assert.equal(v.status, AC);
    assert.equal(v.debug, undefined);
  });

  it('rejects and shows where the outputs differ', () => {
    const v = judge(9, '1\n2\n5\n', '1\n2\n3\n');
    assert.equal(v.status, WA);
    assert.match(v.debug ?? '', /first difference at token 3/);
    assert.match(v.debug ?? '', /expected \(line 3\): 3/);
    assert.match(v.debug ?? '', /produced \(line 3\): 5/);
  });

  it('says when the output ended early', () => {
    const d = describeDifference(Buffer.from('1 2'), Buffer.from('1 2 3'));
    assert.match(d, /produced: end of output after 2 tokens/);
  });
});

describe('judge 10: exact', () => {
  it('accepts byte-identical output', () => {
    assert.equal(judge(10, 'a b\n', 'a b\n').status, AC);
  });

  it('rejects a missing trailing newline or an extra space', () => {
    assert.equal(judge(10, 'a b', 'a b\n').status, WA);
    assert.equal(judge(10, 'a  b\n', 'a b\n').status, WA);
  });
});

const tc = (number: number, status: number, score = status === AC ? 100 : 0): TestcaseOutcome => ({
  number,
  status,
  score,
  signal: status === 12 ? 11 : 0,
  time: 0.1 * (number + 1),
  memory: 1000 + number,
});

describe('master judge 1000: generic', () => {
  it('accepts when every test case is accepted: mean score, time summed, memory max', () => {
    const v = masterGeneric([tc(0, AC, 100), tc(1, AC, 50), tc(2, AC, 30)]);
    assert.deepEqual(v, { status: AC, score: 60, signal: 0, time: 0.6, memory: 1002 });
  });

  it('takes the status and signal of the first failing test case, in test order', () => {
    const v = masterGeneric([tc(2, 13), tc(0, AC), tc(1, 12)]);
    assert.equal(v.status, 12);
    assert.equal(v.signal, 11);
    assert.equal(v.score, 0);
    assert.equal(v.time, 0.6);
  });
});

describe('master judge 1001: percentage of accepted test cases', () => {
  it('accepts with a partial score when some pass', () => {
    const v = masterPercentage([tc(0, AC), tc(1, WA), tc(2, AC), tc(3, 13)]);
    assert.equal(v.status, AC);
    assert.equal(v.score, 50);
  });

  it('rounds the percentage to two decimals', () => {
    assert.equal(masterPercentage([tc(0, AC), tc(1, WA), tc(2, WA)]).score, 33.33);
  });

  it('fails with the first failure when none passes', () => {
    const v = masterPercentage([tc(0, WA), tc(1, 13)]);
    assert.equal(v.status, WA);
    assert.equal(v.score, 0);
  });

  it('lets a judge error decide even when others pass', () => {
    assert.equal(masterPercentage([tc(0, AC), tc(1, 21)]).status, 21);
  });
});

describe('master-judge protocol', () => {
  it('writes one line per test case: test status score signal time memory', () => {
    assert.equal(masterInput([tc(0, AC), tc(1, 12)]), '0 AC 100 0 0.1 1000\n1 RE 0 11 0.2 1001\n');
  });

  it('reads STATUS score signal time memory, mnemonics or codes', () => {
    assert.deepEqual(parseMasterOutput('WA 12.5 0 0.3 2048\n', []), {
      status: WA,
      score: 12.5,
      signal: 0,
      time: 0.3,
      memory: 2048,
    });
    assert.equal(parseMasterOutput('15 100', [])?.status, AC);
    assert.equal(parseStatus('tle'), 13);
  });

  it('fills missing signal, time and memory from the test cases', () => {
    const v = parseMasterOutput('AC 7\n', [tc(0, AC), tc(1, AC)]);
    assert.deepEqual(v, { status: AC, score: 7, signal: 0, time: 0.3, memory: 1001 });
  });

  it('refuses malformed lines', () => {
    assert.equal(parseMasterOutput('', []), null);
    assert.equal(parseMasterOutput('OK 100', []), null);
    assert.equal(parseMasterOutput('AC lots', []), null);
    assert.equal(parseMasterOutput('AC 1 0 0.1 5 extra', []), null);
    assert.equal(parseMasterOutput('99 1', []), null);
  });

  it('reads a test-case judge score, defaulting when empty', () => {
    assert.equal(parseJudgeScore('', 100), 100);
    assert.equal(parseJudgeScore(' 42.5\n', 100), 42.5);
    assert.equal(parseJudgeScore('abc', 100), null);
  });
});
