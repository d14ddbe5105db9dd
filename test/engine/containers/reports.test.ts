// Tests reports: the JSON array and JUnit XML, converted to the tests_report stream; malformed
// and hostile XML refused with a reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTestsReport, REPORT_LIMITS } from '../../../src/engine/containers/reports.js';

const parse = (s: string) => parseTestsReport(Buffer.from(s));
function bad(s: string | Buffer, reason: RegExp) {
  const r = parseTestsReport(Buffer.isBuffer(s) ? s : Buffer.from(s));
  assert.equal(r.ok, false, JSON.stringify(r));
  if (!r.ok) assert.match(r.reason, reason);
}

describe('parseTestsReport: JSON', () => {
  it('accepts the array of WORKSPACE.md and normalizes it', () => {
    const r = parse(
      '\uFEFF [{"time": 0.5, "status": "failure", "name": "t1", "classname": "C", "failure": "x", "extra": 1},' +
        '{"name": "t2", "status": "ok"}, {"name": "t3", "status": "error", "error": "boom", "failure": "ignored"}]',
    );
    assert.ok(r.ok);
    assert.deepEqual(r.entries, [
      { name: 't1', classname: 'C', status: 'failure', time: 0.5, failure: 'x' },
      { name: 't2', classname: '', status: 'ok', time: 0 },
      { name: 't3', classname: '', status: 'error', time: 0, error: 'boom' },
    ]);
    assert.equal(r.json, JSON.stringify(r.entries));
  });

  it('refuses wrong entries, saying which', () => {
    bad('[{"name": "a"}]', /entry 0, "status" must be/);
    bad('[{"name": "a", "status": "passed"}]', /entry 0, "status" must be/);
    bad('[{"status": "ok"}]', /entry 0, "name" must be text/);
    bad('[{"name": "a", "status": "ok", "time": -1}]', /"time" must not be negative/);
    bad('[1]', /entry 0, must be an object/);
    bad('[', /not JSON/);
    bad('{"name": "a"}', /neither a JSON array nor JUnit XML/);
    bad('', /empty/);
    bad(Buffer.from([0x5b, 0xff, 0x5d]), /not UTF-8/);
  });

  it('refuses more than 10,000 test cases and more than 4 MiB', () => {
    const many = JSON.stringify(
      Array.from({ length: REPORT_LIMITS.testcases + 1 }, (_, i) => ({
        name: `t${i}`,
        status: 'ok',
      })),
    );
    bad(many, /more than 10000 test cases/);
    bad(Buffer.alloc(REPORT_LIMITS.bytes + 1, 0x20), /larger than/);
  });
});

describe('parseTestsReport: JUnit XML', () => {
  it('converts testcases with failure, error and skipped (left out)', () => {
    const r = parse(`<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<testsuites name="all">
  <testsuite name="math" tests="4">
    <properties><property name="a" value="b"/></properties>
    <testcase name="adds &amp; &lt;subtracts&gt; &#65;&#x42;" classname="math.Ops" time="0.25"/>
    <testcase name="divides" classname="math.Ops" time="1">
      <failure message="expected 2" type="AssertionError"><![CDATA[2 != 3 <raw> & more]]></failure>
      <system-out>noise</system-out>
    </testcase>
    <testcase name="crashes" time="0"><error message="ZeroDivisionError">Traceback</error></testcase>
    <testcase name="later"><skipped message="todo"/></testcase>
    <testsuite name="nested"><testcase name="deep" classname='q' time='2'/></testsuite>
  </testsuite>
</testsuites>
`);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    assert.deepEqual(r.entries, [
      { name: 'adds & <subtracts> AB', classname: 'math.Ops', status: 'ok', time: 0.25 },
      {
        name: 'divides',
        classname: 'math.Ops',
        status: 'failure',
        time: 1,
        failure: 'expected 2\n2 != 3 <raw> & more',
      },
      {
        name: 'crashes',
        classname: 'math',
        status: 'error',
        time: 0,
        error: 'ZeroDivisionError\nTraceback',
      },
      { name: 'deep', classname: 'q', status: 'ok', time: 2 },
    ]);
  });

  it('accepts a single <testsuite> root and an empty report', () => {
    const r = parse('<testsuite name="s"><testcase name="a"/></testsuite>');
    assert.ok(r.ok);
    assert.deepEqual(r.entries, [{ name: 'a', classname: 's', status: 'ok', time: 0 }]);
    const e = parse('<testsuites/>');
    assert.ok(e.ok);
    assert.equal(e.json, '[]');
  });

  it('refuses DOCTYPE and entity declarations (no entity expansion)', () => {
    bad(
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><testsuites><testcase name="&lol2;"/></testsuites>',
      /DOCTYPE and entity declarations are not accepted/,
    );
    bad('<testsuites><!ENTITY x "y"></testsuites>', /DOCTYPE/);
    bad('<testsuites><testcase name="&x;"/></testsuites>', /unknown entity &x;/);
  });

  it('refuses malformed XML', () => {
    bad('<testsuites><testcase name="a"></testsuites>', /<\/testsuites> closes <testcase>/);
    bad('<testsuites>', /not closed/);
    bad('<testsuites a="1" a="2"/>', /attribute a twice/);
    bad('<testsuites a=1/>', /must be quoted/);
    bad('<testsuites a="<"/>', /holds "<"/);
    bad('<testsuites>a & b</testsuites>', /"&" that starts no entity/);
    bad('<testsuites/><testsuites/>', /content after the root/);
    bad('<testsuites><testcase name="a" time="soon"/></testsuites>', /time="soon"/);
    bad('<testsuites><testcase/></testsuites>', /no name attribute/);
    bad('<html/>', /root is <html>/);
    bad('<testsuites>&#0;</testsuites>', /not a character XML allows/);
    bad('<testsuites><!-- x </testsuites>', /comment that does not end/);
    bad('<a>'.repeat(REPORT_LIMITS.depth + 1), /nested deeper/);
  });

  it('refuses more than 10,000 test cases', () => {
    const xml = `<testsuites>${'<testcase name="t"/>'.repeat(REPORT_LIMITS.testcases + 1)}</testsuites>`;
    bad(xml, /more than 10000 test cases/);
  });
});
