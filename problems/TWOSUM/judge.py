# Checker of TWOSUM (custom test-case judge, see JUDGES.md): any pair i < j with
# a[i] + a[j] = t is right. fd 0: the test input; fd 3: the program's output; fd 7: a message
# for the user. Exit 0 accepts, 1 rejects.
import os
import sys

numbers = sys.stdin.read().split()
n, target = int(numbers[0]), int(numbers[1])
a = [int(x) for x in numbers[2 : 2 + n]]
with os.fdopen(3, "rb") as f:
    answer = f.read().decode("utf-8", "replace").split()


def reject(message):
    with os.fdopen(7, "w") as info:
        info.write(message + "\n")
    sys.exit(1)


if len(answer) != 2:
    reject("print exactly two positions")
try:
    i, j = int(answer[0]), int(answer[1])
except ValueError:
    reject("positions must be integers")
if not 1 <= i < j <= n:
    reject(f"positions must satisfy 1 <= i < j <= {n}")
if a[i - 1] + a[j - 1] != target:
    reject(f"a[{i}] + a[{j}] = {a[i - 1] + a[j - 1]}, not {target}")
sys.exit(0)
