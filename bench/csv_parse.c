/* Baseline for bench/clean.sh: how fast libcsv alone parses a file on one
 * core (counting fields and records, nothing else). */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>

static void on_field(void *s, size_t len, void *data)
{
    (void)s;
    (void)len;
    ((unsigned long long *)data)[0]++;
}

static void on_record(int c, void *data)
{
    (void)c;
    ((unsigned long long *)data)[1]++;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: bench-csv-parse FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    struct csv_parser p;
    csv_init(&p, 0);
    unsigned long long counts[2] = {0, 0};
    static char buf[1 << 20];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        csv_parse(&p, buf, n, on_field, on_record, counts);
    csv_fini(&p, on_field, on_record, counts);
    csv_free(&p);
    fclose(f);
    printf("%llu fields, %llu records\n", counts[0], counts[1]);
    return 0;
}
