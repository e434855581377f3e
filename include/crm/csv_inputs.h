/* The inputs a command was given, named once and opened as often as it
 * needs: a file is opened again each time; a stream that must be read more
 * than once (standard input, a FIFO) is first copied to a temporary file
 * (crm_input_spool), and each opening reads the copy from its start.
 * Knows nothing of CRM. */
#ifndef CRM_CSV_INPUTS_H
#define CRM_CSV_INPUTS_H

#include <stddef.h>

#include "crm/csv.h"
#include "crm/error.h"

typedef struct crm_csv_inputs crm_csv_inputs;

/* paths[0 .. n): n == 0 is standard input alone ("-" names it too).  With
 * twice, the streams among them are copied now. */
crm_status crm_csv_inputs_new(crm_csv_inputs **out, const char *const *paths, size_t n, int twice,
                              crm_error *err);
size_t crm_csv_inputs_count(const crm_csv_inputs *in);
/* Input i as messages name it: its path, or "<stdin>". */
const char *crm_csv_inputs_name(const crm_csv_inputs *in, size_t i);
/* All the names, indexed like the inputs (valid while in lives). */
const char *const *crm_csv_inputs_names(const crm_csv_inputs *in);
/* Opens input i (its copy, read from the start, when it has one). */
crm_status crm_csv_inputs_open(crm_csv_inputs *in, size_t i, const crm_csv_options *opts,
                               crm_csv_reader **r, crm_error *err);
void crm_csv_inputs_free(crm_csv_inputs *in);

#endif
