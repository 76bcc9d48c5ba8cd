// hiredis 0.14's default reply functions (static in hiredis.c), with a budget: the same objects,
// allocated with malloc/calloc as hiredis does, so freeReplyObject frees them.
#include <stdlib.h>
#include <string.h>
#include "credisreply.h"

static int spend(const redisReadTask *task, size_t more) {
    minic_redis_budget *budget = task->privdata;
    if (budget == NULL) return 1;
    if (budget->count + more > budget->limit) {
        budget->exceeded = 1;
        return 0;
    }
    budget->count += more;
    return 1;
}

static redisReply *make(int type) {
    redisReply *reply = calloc(1, sizeof(*reply));
    if (reply != NULL) reply->type = type;
    return reply;
}

static void attach(const redisReadTask *task, redisReply *reply) {
    if (task->parent != NULL) {
        redisReply *parent = task->parent->obj;
        parent->element[task->idx] = reply;
    }
}

static void *create_string(const redisReadTask *task, char *text, size_t length) {
    // An array's elements were counted with the array; their bytes are bounded by the caller.
    if (task->parent == NULL && !spend(task, 1)) return NULL;
    redisReply *reply = make(task->type);
    if (reply == NULL) return NULL;
    char *copy = malloc(length + 1);
    if (copy == NULL) {
        free(reply);
        return NULL;
    }
    memcpy(copy, text, length);
    copy[length] = '\0';
    reply->str = copy;
    reply->len = length;
    attach(task, reply);
    return reply;
}

static void *create_array(const redisReadTask *task, int elements) {
    // The announced size counts before anything is allocated for it.
    if (!spend(task, 1 + (elements > 0 ? (size_t)elements : 0))) return NULL;
    redisReply *reply = make(REDIS_REPLY_ARRAY);
    if (reply == NULL) return NULL;
    if (elements > 0) {
        reply->element = calloc((size_t)elements, sizeof(redisReply *));
        if (reply->element == NULL) {
            free(reply);
            return NULL;
        }
    }
    reply->elements = elements > 0 ? (size_t)elements : 0;
    attach(task, reply);
    return reply;
}

static void *create_integer(const redisReadTask *task, long long value) {
    // An array's elements were counted with the array.
    if (task->parent == NULL && !spend(task, 1)) return NULL;
    redisReply *reply = make(REDIS_REPLY_INTEGER);
    if (reply == NULL) return NULL;
    reply->integer = value;
    attach(task, reply);
    return reply;
}

static void *create_nil(const redisReadTask *task) {
    if (task->parent == NULL && !spend(task, 1)) return NULL;
    redisReply *reply = make(REDIS_REPLY_NIL);
    if (reply == NULL) return NULL;
    attach(task, reply);
    return reply;
}

static redisReplyObjectFunctions budgeted = {create_string, create_array, create_integer, create_nil, freeReplyObject};

void minic_redis_install_budget(redisContext *context, minic_redis_budget *budget) {
    context->reader->fn = &budgeted;
    context->reader->privdata = budget;
}
