/* The breakpoints file of crm-rfm (--breaks-only writes it, --breaks-file
 * reads it): what a shard's run needs to score its customers as one
 * process scores them (crm/rfm_breaks.h).  A CSV of key,value rows, in this
 * order:
 *
 *   key,value
 *   format,crm-rfm breakpoints 1
 *   bins,5
 *   monetary,amount              (amount or profit: what M scores)
 *   as_of,2011-12-10
 *   calibration_end,2011-09-30   (only with a calibration end, then
 *   holdout_end,2011-12-09        the last purchase day of all the data)
 *   customers,4338
 *   r,quantiles                  (quantiles or fixed), then r.1 .. r.<bins-1>
 *   r.1,17
 *   ...
 *   f,quantiles, f.1 ..., m,quantiles, m.1 ...
 *
 * Numbers in the shortest form that reads back as the same double.  A
 * dimension has bins - 1 breakpoints in increasing order (ties allowed),
 * none only for quantiles of a table without customers.  Reading checks all
 * of it: a bad file is CRM_EDATA naming the file, the line, the key and the
 * value.  Never prints, never exits. */
#ifndef CRM_RFM_BREAKS_FILE_H
#define CRM_RFM_BREAKS_FILE_H

#include "crm/csv.h"
#include "crm/error.h"
#include "crm/rfm_breaks.h"

crm_status crm_rfm_breakpoints_write(crm_csv_writer *w, const crm_rfm_breakpoints *b, crm_error *err);
/* Reads the whole of r (the caller's to close). */
crm_status crm_rfm_breakpoints_read(crm_csv_reader *r, crm_rfm_breakpoints *b, crm_error *err);

#endif
