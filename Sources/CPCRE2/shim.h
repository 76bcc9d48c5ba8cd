#ifndef MINIC_CPCRE2_SHIM_H
#define MINIC_CPCRE2_SHIM_H
// PCRE2's API is generic over the code unit width through macros; minic uses the 8-bit library.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/// PCRE2_ZERO_TERMINATED and PCRE2_UNSET are ~(size_t)0 macros Swift does not import.
static inline size_t minic_pcre2_unset(void) { return PCRE2_UNSET; }
#endif
