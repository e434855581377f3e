/* The rejects file (crm/clean_rejects.h). */
#include "crm/clean_rejects.h"

crm_status crm_clean_rejects_write_header(crm_csv_writer *w, const crm_csv_record *input_header)
{
    static const char prefix[] = "file,line,reason,detail";
    crm_status st = crm_csv_write_raw(w, prefix, sizeof prefix - 1);
    if (st == CRM_OK && input_header) {
        /* the input's header as it was written, without its line ending */
        size_t len = input_header->raw_len;
        while (len && (input_header->raw[len - 1] == '\n' || input_header->raw[len - 1] == '\r'))
            len--;
        st = crm_csv_write_raw(w, ",", 1);
        if (st == CRM_OK)
            st = crm_csv_write_raw(w, input_header->raw, len);
    }
    return st == CRM_OK ? crm_csv_write_raw(w, "\n", 1) : st;
}

crm_status crm_clean_rejects_write_row(crm_csv_writer *w, const char *input, uint64_t line,
                                       crm_clean_reason reason, const char *detail, const char *raw,
                                       size_t raw_len)
{
    crm_status st = crm_csv_write_field(w, input, (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_write_int(w, (int64_t)line);
    if (st == CRM_OK)
        st = crm_csv_write_field(w, crm_clean_reason_name(reason), (size_t)-1);
    if (st == CRM_OK)
        st = crm_csv_write_field(w, detail, (size_t)-1);
    /* the row itself, byte for byte, as the last fields of the same line */
    if (st == CRM_OK)
        st = crm_csv_end_row_raw(w, raw, raw_len);
    return st;
}
