/* The library's version: see crm/version.h (generated from cmake/version.h.in). */
#include "crm/version.h"

const char *crm_version(void)
{
    return CRM_VERSION;
}
