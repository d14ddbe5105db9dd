'use strict';
const assert = require('node:assert/strict');
const { join } = require('node:path');
const { describe, it } = require('node:test');

const { fizzbuzz } = require(join(process.cwd(), 'index.js'));

describe('fizzbuzz', () => {
  it('counts from 1', () => assert.deepEqual(fizzbuzz(2), ['1', '2']));
  it('says Fizz and Buzz', () => assert.deepEqual(fizzbuzz(5), ['1', '2', 'Fizz', '4', 'Buzz']));
  it('says FizzBuzz at 15', () => assert.equal(fizzbuzz(15)[14], 'FizzBuzz'));
  it('gives nothing for 0', () => assert.deepEqual(fizzbuzz(0), []));
});
