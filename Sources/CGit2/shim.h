#ifndef MINIC_CGIT2_SHIM_H
#define MINIC_CGIT2_SHIM_H
#include <git2.h>
#endif
