#include <malloc.h>
#include "clibcshims.h"

int minic_tune_allocator(int trim_threshold, int top_pad) {
    return mallopt(M_TRIM_THRESHOLD, trim_threshold) && mallopt(M_TOP_PAD, top_pad);
}
