#ifndef MINIC_CSECCOMP_SHIM_H
#define MINIC_CSECCOMP_SHIM_H
#include <seccomp.h>
#include <linux/sched.h>

/// libseccomp's actions are function-like macros Swift does not import.
static inline uint32_t minic_scmp_act_allow(void) { return SCMP_ACT_ALLOW; }
static inline uint32_t minic_scmp_act_errno(uint16_t code) { return SCMP_ACT_ERRNO(code); }

/// `SCMP_A0(SCMP_CMP_MASKED_EQ, mask, value)`: the first argument, masked, equals value.
static inline struct scmp_arg_cmp minic_scmp_arg0_masked_eq(uint64_t mask, uint64_t value) {
    struct scmp_arg_cmp cmp = { 0, SCMP_CMP_MASKED_EQ, mask, value };
    return cmp;
}

static inline uint64_t minic_clone_newuser(void) { return CLONE_NEWUSER; }
#endif
