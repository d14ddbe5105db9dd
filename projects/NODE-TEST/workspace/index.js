'use strict';
// FizzBuzz: complete fizzbuzz(), then press Test.

/**
 * The numbers 1 to n as text, with "Fizz" for multiples of 3, "Buzz" for multiples of 5 and
 * "FizzBuzz" for multiples of both: fizzbuzz(5) is ['1', '2', 'Fizz', '4', 'Buzz'].
 */
function fizzbuzz(n) {
  // TODO
  return [];
}

module.exports = { fizzbuzz };

if (require.main === module) console.log(fizzbuzz(15).join(' '));
