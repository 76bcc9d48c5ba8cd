#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "ccurl.h"

static struct {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
} api;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load(void) {
    // The soname Debian's libcurl4 (and libcurl4-openssl-dev) install; the dev package's link name as a fallback.
    void *library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) library = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        snprintf(load_error, sizeof load_error, "%s", dlerror());
        return;
    }
#define RESOLVE(field, name)                                                              \
    *(void **)(&api.field) = dlsym(library, name);                                        \
    if (api.field == NULL) {                                                              \
        snprintf(load_error, sizeof load_error, "libcurl has no %s", name);               \
        return;                                                                           \
    }
    RESOLVE(global_init, "curl_global_init")
    RESOLVE(easy_init, "curl_easy_init")
    RESOLVE(easy_cleanup, "curl_easy_cleanup")
    RESOLVE(easy_perform, "curl_easy_perform")
    RESOLVE(easy_strerror, "curl_easy_strerror")
    RESOLVE(slist_append, "curl_slist_append")
    RESOLVE(slist_free_all, "curl_slist_free_all")
    RESOLVE(easy_setopt, "curl_easy_setopt")
    RESOLVE(easy_getinfo, "curl_easy_getinfo")
#undef RESOLVE
    load_error[0] = '\0';
}

int minic_curl_load(char *error, size_t size) {
    strcpy(load_error, "not loaded");
    pthread_once(&once, load);
    if (load_error[0] == '\0') return 0;
    if (error != NULL && size > 0) snprintf(error, size, "%s", load_error);
    return -1;
}

// Callers load first (MinicLLM's CurlGlobal); these are then plain calls through the table.
CURLcode minic_curl_global_init(long flags) { return api.global_init(flags); }
CURL *minic_curl_easy_init(void) { return api.easy_init(); }
void minic_curl_easy_cleanup(CURL *handle) { api.easy_cleanup(handle); }
CURLcode minic_curl_easy_perform(CURL *handle) { return api.easy_perform(handle); }
const char *minic_curl_easy_strerror(CURLcode code) { return api.easy_strerror(code); }
struct curl_slist *minic_curl_slist_append(struct curl_slist *list, const char *text) { return api.slist_append(list, text); }
void minic_curl_slist_free_all(struct curl_slist *list) { api.slist_free_all(list); }
CURLcode minic_curl_setopt_long(CURL *handle, CURLoption option, long value) { return api.easy_setopt(handle, option, value); }
CURLcode minic_curl_setopt_pointer(CURL *handle, CURLoption option, void *value) { return api.easy_setopt(handle, option, value); }
CURLcode minic_curl_setopt_string(CURL *handle, CURLoption option, const char *value) { return api.easy_setopt(handle, option, value); }
CURLcode minic_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value) { return api.easy_setopt(handle, option, value); }
CURLcode minic_curl_setopt_data_callback(CURL *handle, CURLoption option, minic_curl_data_callback callback) {
    return api.easy_setopt(handle, option, callback);
}
CURLcode minic_curl_setopt_progress_callback(CURL *handle, minic_curl_progress_callback callback) {
    return api.easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}
CURLcode minic_curl_getinfo_long(CURL *handle, CURLINFO info, long *value) { return api.easy_getinfo(handle, info, value); }
