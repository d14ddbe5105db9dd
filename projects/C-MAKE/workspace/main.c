/* Reads integers from standard input until its end and prints their sum and the largest one:
 * "sum max" on one line (for no numbers: "0 0"). Complete it, then press Test. */
#include <stdio.h>

int main(void) {
    long long sum = 0, max = 0;
    /* TODO: read the numbers */
    printf("%lld %lld\n", sum, max);
    return 0;
}
