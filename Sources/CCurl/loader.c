#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ccurl.h"

struct api_table {
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    void (*easy_cleanup)(CURL *);
    CURLcode (*easy_perform)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
};
// Filled once, whole, under the mutex, and only after curl_global_init succeeded; never changed after.
static struct api_table api;
static int ready;
static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;

// One attempt: dlopen, every symbol, curl_global_init. 0, or -1 with the reason in `error`;
// on failure nothing is kept (the library is closed again), so the next call tries afresh.
static int load(char *error, size_t size) {
    // MINIC_LIBCURL names the library to load instead (another soname or a path); when set, only that one.
    const char *chosen = getenv("MINIC_LIBCURL");
    void *library;
    if (chosen != NULL && chosen[0] != '\0') {
        library = dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
    } else {
        // The soname Debian's libcurl4 (and libcurl4-openssl-dev) install; the dev package's link name as a fallback.
        library = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
        if (library == NULL) library = dlopen("libcurl.so", RTLD_NOW | RTLD_LOCAL);
    }
    if (library == NULL) {
        const char *reason = dlerror();
        snprintf(error, size, "%s", reason != NULL ? reason : "dlopen failed");
        return -1;
    }
    struct api_table table;
#define RESOLVE(field, name)                                                              \
    *(void **)(&table.field) = dlsym(library, name);                                      \
    if (table.field == NULL) {                                                            \
        snprintf(error, size, "the library has no %s", name);                             \
        dlclose(library);                                                                 \
        return -1;                                                                        \
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
    // https://curl.se/libcurl/c/curl_global_init.html: "If this function returns non-zero, something
    // went wrong and you cannot use the other curl functions."
    CURLcode code = table.global_init(CURL_GLOBAL_DEFAULT);
    if (code != CURLE_OK) {
        const char *reason = table.easy_strerror(code);
        snprintf(error, size, "curl_global_init failed: %s (curl %d)", reason != NULL ? reason : "unknown error", (int)code);
        dlclose(library);
        return -1;
    }
    api = table;
    return 0;
}

int minic_curl_load(char *error, size_t size) {
    char scratch[256];
    if (error == NULL || size == 0) {
        error = scratch;
        size = sizeof scratch;
    }
    error[0] = '\0';
    pthread_mutex_lock(&mutex);
    if (!ready) ready = load(error, size) == 0;
    int result = ready ? 0 : -1;
    pthread_mutex_unlock(&mutex);
    return result;
}

// Callers load first (MinicLLM's CurlGlobal); these are then plain calls through the table.
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
