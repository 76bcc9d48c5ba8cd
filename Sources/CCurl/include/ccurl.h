#ifndef MINIC_CCURL_H
#define MINIC_CCURL_H
// libcurl's types and constants, and minic's calls into it. libcurl itself is loaded with
// dlopen on first use (minic_curl_load), not linked: it pulls in some thirty shared
// libraries whose loading and constructors cost every minic command about 3.5 ms at
// start-up, and only commands that talk to a model need it.
#include <curl/curl.h>
#include <stddef.h>

/// Loads libcurl.so.4 (or the library named by MINIC_LIBCURL), resolves the functions below and runs
/// curl_global_init, until that succeeds once (thread-safe). Every call reports the state now: 0 when
/// loaded, else -1 with this attempt's reason (dlopen's message, a missing symbol, or curl_global_init's
/// error) in `error`; a failed attempt keeps nothing, so a later call tries again.
int minic_curl_load(char *error, size_t size);

CURL *minic_curl_easy_init(void);
void minic_curl_easy_cleanup(CURL *handle);
CURLcode minic_curl_easy_perform(CURL *handle);
const char *minic_curl_easy_strerror(CURLcode code);
struct curl_slist *minic_curl_slist_append(struct curl_slist *list, const char *text);
void minic_curl_slist_free_all(struct curl_slist *list);

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call:
// one typed wrapper per argument type (as GRDB's shim does for sqlite3_config).
CURLcode minic_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode minic_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode minic_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode minic_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
typedef size_t (*minic_curl_data_callback)(char *data, size_t size, size_t count, void *context);
CURLcode minic_curl_setopt_data_callback(CURL *handle, CURLoption option, minic_curl_data_callback callback);
typedef int (*minic_curl_progress_callback)(void *context, curl_off_t download_total, curl_off_t downloaded, curl_off_t upload_total,
                                            curl_off_t uploaded);
CURLcode minic_curl_setopt_progress_callback(CURL *handle, minic_curl_progress_callback callback);
CURLcode minic_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
#endif
