#ifndef MINIC_CGIT2_SHIM_H
#define MINIC_CGIT2_SHIM_H
#include <git2.h>
/* In-memory repositories (git_repository_new, git_repository_set_odb) and their object store (git_mempack_new). */
#include <git2/sys/repository.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/mempack.h>
#endif
