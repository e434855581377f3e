/* A command's inputs, opened as often as needed (crm/csv_inputs.h). */
#include "crm/csv_inputs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm/input.h"

struct crm_csv_inputs {
    size_t n;
    const char **paths;   /* NULL: standard input */
    const char **names;
    int *copies;          /* per input, the descriptor of its copy, or -1 */
};

crm_status crm_csv_inputs_new(crm_csv_inputs **out, const char *const *paths, size_t n, int twice,
                              crm_error *err)
{
    *out = NULL;
    crm_csv_inputs *in = calloc(1, sizeof *in);
    size_t count = n ? n : 1;
    if (!in || !(in->paths = calloc(count, sizeof *in->paths)) ||
        !(in->names = calloc(count, sizeof *in->names)) || !(in->copies = malloc(count * sizeof *in->copies))) {
        crm_csv_inputs_free(in);
        return crm_error_set(err, CRM_ENOMEM, "out of memory");
    }
    in->n = count;
    for (size_t i = 0; i < count; i++) {
        in->paths[i] = n ? paths[i] : NULL;
        in->names[i] = in->paths[i] && strcmp(in->paths[i], "-") != 0 ? in->paths[i] : "<stdin>";
        in->copies[i] = -1;
    }
    for (size_t i = 0; twice && i < count; i++) {
        if (crm_input_rereadable(in->paths[i]))
            continue;
        crm_status st = crm_input_spool(in->paths[i], &in->copies[i], err);
        if (st != CRM_OK) {
            crm_csv_inputs_free(in);
            return st;
        }
    }
    *out = in;
    return CRM_OK;
}

size_t crm_csv_inputs_count(const crm_csv_inputs *in)
{
    return in->n;
}

const char *crm_csv_inputs_name(const crm_csv_inputs *in, size_t i)
{
    return in->names[i];
}

const char *const *crm_csv_inputs_names(const crm_csv_inputs *in)
{
    return in->names;
}

crm_status crm_csv_inputs_open(crm_csv_inputs *in, size_t i, const crm_csv_options *opts,
                               crm_csv_reader **r, crm_error *err)
{
    if (in->copies[i] < 0)
        return crm_csv_open(r, in->paths[i], opts, err);
    if (lseek(in->copies[i], 0, SEEK_SET) != 0)
        return crm_error_set(err, CRM_EIO, "cannot read back the copy of %s: %s", in->names[i],
                             strerror(errno));
    return crm_csv_open_fd(r, in->copies[i], in->names[i], opts, err);
}

void crm_csv_inputs_free(crm_csv_inputs *in)
{
    if (!in)
        return;
    for (size_t i = 0; in->copies && i < in->n; i++)
        if (in->copies[i] >= 0)
            close(in->copies[i]);
    free(in->copies);
    free(in->names);
    free(in->paths);
    free(in);
}
