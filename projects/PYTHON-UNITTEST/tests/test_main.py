import unittest

from main import word_counts


class WordCountsTest(unittest.TestCase):
    def test_empty(self):
        self.assertEqual(word_counts(""), {})

    def test_sentence(self):
        self.assertEqual(word_counts("The cat and the hat"), {"the": 2, "cat": 1, "and": 1, "hat": 1})

    def test_punctuation(self):
        self.assertEqual(word_counts("Hi, hi! HI?"), {"hi": 3})

    def test_digits(self):
        self.assertEqual(word_counts("route 66 and 66"), {"route": 1, "66": 2, "and": 1})


if __name__ == "__main__":
    unittest.main()
