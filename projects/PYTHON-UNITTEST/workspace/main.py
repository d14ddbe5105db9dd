"""Count words: complete word_counts(), then press Test."""


def word_counts(text):
    """How many times each word occurs in text, case-insensitive.

    Words are runs of letters and digits; the result maps each word, in lower case, to its count.
    word_counts("The cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}
    """
    # TODO: count the words
    return {}


if __name__ == "__main__":
    print(word_counts("The cat and the hat"))
