#ifndef CREDISREPLY_H
#define CREDISREPLY_H

#include <stddef.h>
#include <hiredis/hiredis.h>

/// How many reply objects one reply may make, and how many it has made.
typedef struct minic_redis_budget {
    size_t count;
    size_t limit;
    int exceeded;
} minic_redis_budget;

/// Makes `context` build replies with hiredis's own object layout (freed by freeReplyObject), counting
/// every object (and an array's announced size) against `budget`: past its limit the reply fails as
/// hiredis's out-of-memory error, with `budget->exceeded` set, instead of a server announcing
/// 2^31 elements making the client allocate them.
void minic_redis_install_budget(redisContext *context, minic_redis_budget *budget);

#endif
