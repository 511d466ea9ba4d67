/* src/identity/sandbox-main.c - sealcall-idp-sandbox: runs one IdP proxy
 * script for one call (generate or validate) in a fresh JavaScriptCore
 * context, in its own process, under resource limits. It talks JSON lines
 * with its parent (idp-run.c) on stdin/stdout and has no other channel:
 * fetch()/XHR go to the parent, which enforces the IdP's origin and TLS.
 *
 *   parent -> child  {"op":"run","kind":"generate"|"validate",
 *                     "script":S,"url":U,"location":{...},"args":{...}}
 *                    {"op":"fetched","id":N,...}   (a fetch's answer)
 *   child -> parent  {"op":"fetch","id":N,"url":...,"method":...,...}
 *                    {"op":"result","ok":true,"value":V} | {"op":"result",
 *                     "ok":false,"how":"syntax"|"load"|"none"|"throw"|...}
 *
 * The parent kills this process (by pid) at its deadline; RLIMIT_CPU and
 * RLIMIT_DATA bound it even if the parent cannot. Usage:
 *   sealcall-idp-sandbox --memory BYTES --cpu SECONDS
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE 1 /* CLONE_THREAD */
#include "identity/sandbox-prelude.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <jsc/jsc.h>
#include <json-glib/json-glib.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#define LINE_MAX_BYTES (8u * 1024 * 1024) /* the script (1 MiB) JSON-escaped */

typedef struct {
    JSCContext *ctx;
    JSCValue *entry;          /* what the prelude returned */
    JSCValue *prelude;        /* the prelude, evaluated before the request */
    GHashTable *timers;       /* JS timer id -> GLib source id */
    GString *inbuf;
    GMainLoop *loop;
    gboolean finished;
    guint64 memory;
} Sandbox;

static Sandbox sb;

static void
write_line(const char *text)
{
    gsize len = strlen(text);
    const char *p = text;
    while (len > 0) {
        ssize_t n = write(STDOUT_FILENO, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(3);
        p += n;
        len -= (gsize)n;
    }
    while (write(STDOUT_FILENO, "\n", 1) != 1)
        if (errno != EINTR)
            _exit(3);
}

static void
finish_with(const char *json_result)
{
    if (sb.finished)
        return;
    sb.finished = TRUE;
    /* {"op":"result", ...rest of the result object} */
    JsonParser *p = json_parser_new();
    JsonObject *o = NULL;
    if (json_parser_load_from_data(p, json_result, -1, NULL) &&
        JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
        o = json_node_get_object(json_parser_get_root(p));
    JsonNode *root = json_node_new(JSON_NODE_OBJECT);
    JsonObject *out = json_object_new();
    json_object_set_string_member(out, "op", "result");
    if (o != NULL) {
        GList *names = json_object_get_members(o);
        for (GList *l = names; l != NULL; l = l->next)
            if (strcmp(l->data, "op") != 0)
                json_object_set_member(out, l->data,
                                       json_node_copy(json_object_get_member(o, l->data)));
        g_list_free(names);
    } else {
        json_object_set_boolean_member(out, "ok", FALSE);
        json_object_set_string_member(out, "how", "bad-result");
    }
    json_node_take_object(root, out);
    char *text = json_to_string(root, FALSE);
    write_line(text);
    /* no teardown of the JS heap: the process ends here */
    _exit(0);
}

static void
finish_error(const char *how, const char *message)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "ok");
    json_builder_add_boolean_value(b, FALSE);
    json_builder_set_member_name(b, "how");
    json_builder_add_string_value(b, how);
    if (message != NULL) {
        json_builder_set_member_name(b, "message");
        json_builder_add_string_value(b, message);
    }
    json_builder_end_object(b);
    JsonNode *n = json_builder_get_root(b);
    char *text = json_to_string(n, FALSE);
    finish_with(text);
}

/* ---- natives handed to the prelude (never globals) ---- */

static void
native_done(const char *text, gpointer data)
{
    finish_with(text != NULL ? text : "");
}

static void
native_fetch(const char *request_json, gpointer data)
{
    /* re-wrap as {"op":"fetch", ...}; the parent checks everything */
    JsonParser *p = json_parser_new();
    if (request_json == NULL ||
        !json_parser_load_from_data(p, request_json, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
        g_object_unref(p);
        return;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    json_object_set_string_member(o, "op", "fetch");
    char *text = json_to_string(json_parser_get_root(p), FALSE);
    write_line(text);
    g_free(text);
    g_object_unref(p);
}

typedef struct {
    int id;
    gboolean repeat;
} TimerData;

static void
call_entry(const char *method, GType type, gconstpointer arg)
{
    JSCValue *r = NULL;
    if (type == G_TYPE_INT)
        r = jsc_value_object_invoke_method(sb.entry, method, G_TYPE_INT,
                                           GPOINTER_TO_INT(arg), G_TYPE_NONE);
    else
        r = jsc_value_object_invoke_method(sb.entry, method, G_TYPE_STRING,
                                           (const char *)arg, G_TYPE_NONE);
    if (r != NULL)
        g_object_unref(r);
    /* an exception in a timer or a fetch callback is the IdP's own
     * business, as in a browser: reported to no one */
    jsc_context_clear_exception(sb.ctx);
}

static gboolean
on_timer(gpointer data)
{
    TimerData *t = data;
    int id = t->id;
    gboolean repeat = t->repeat;
    if (!repeat)
        g_hash_table_remove(sb.timers, GINT_TO_POINTER(id));
    call_entry("timer", G_TYPE_INT, GINT_TO_POINTER(id));
    if (!repeat)
        return G_SOURCE_REMOVE;
    /* cleared from inside its own callback? */
    return g_hash_table_contains(sb.timers, GINT_TO_POINTER(id))
               ? G_SOURCE_CONTINUE
               : G_SOURCE_REMOVE;
}

static void
native_set_timer(int id, int ms, gboolean repeat, gpointer data)
{
    TimerData *t = g_new(TimerData, 1);
    t->id = id;
    t->repeat = repeat;
    guint src = g_timeout_add_full(G_PRIORITY_DEFAULT, (guint)MAX(ms, 0),
                                   on_timer, t, g_free);
    g_hash_table_replace(sb.timers, GINT_TO_POINTER(id), GUINT_TO_POINTER(src));
}

static void
native_clear_timer(int id, gpointer data)
{
    gpointer src;
    if (g_hash_table_lookup_extended(sb.timers, GINT_TO_POINTER(id), NULL, &src)) {
        GSource *s = g_main_context_find_source_by_id(NULL, GPOINTER_TO_UINT(src));
        if (s != NULL && !g_source_is_destroyed(s))
            g_source_destroy(s);
        g_hash_table_remove(sb.timers, GINT_TO_POINTER(id));
    }
}

/* ---- input from the parent ---- */

static void
handle_line(const char *line)
{
    JsonParser *p = json_parser_new();
    if (!json_parser_load_from_data(p, line, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p))) {
        g_object_unref(p);
        return;
    }
    JsonObject *o = json_node_get_object(json_parser_get_root(p));
    const char *op = json_object_get_string_member_with_default(o, "op", "");
    if (strcmp(op, "fetched") == 0) {
        char *text = json_to_string(json_parser_get_root(p), FALSE);
        call_entry("fetched", G_TYPE_STRING, text);
        g_free(text);
    }
    g_object_unref(p);
}

static gboolean
on_stdin(GIOChannel *ch, GIOCondition cond, gpointer data)
{
    char buf[65536];
    ssize_t n = read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return G_SOURCE_CONTINUE;
    if (n <= 0)
        _exit(0);               /* parent gone: nothing left to do */
    g_string_append_len(sb.inbuf, buf, n);
    char *nl;
    while ((nl = memchr(sb.inbuf->str, '\n', sb.inbuf->len)) != NULL) {
        *nl = '\0';
        handle_line(sb.inbuf->str);
        g_string_erase(sb.inbuf, 0, (gssize)(nl - sb.inbuf->str) + 1);
    }
    if (sb.inbuf->len > LINE_MAX_BYTES)
        _exit(4);
    return G_SOURCE_CONTINUE;
}

static char *
read_first_line(void)
{
    GString *s = g_string_new(NULL);
    char c[4096];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, c, sizeof c);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(2);
        g_string_append_len(s, c, n);
        char *nl = memchr(s->str, '\n', s->len);
        if (nl != NULL) {
            char *rest = g_strndup(nl + 1, s->len - (gsize)(nl - s->str) - 1);
            gsize restlen = s->len - (gsize)(nl - s->str) - 1;
            *nl = '\0';
            g_string_append_len(sb.inbuf, rest, (gssize)restlen);
            g_free(rest);
            return g_string_free(s, FALSE);
        }
        if (s->len > LINE_MAX_BYTES)
            _exit(4);
    }
}

static void
limit(int resource, rlim_t value)
{
    struct rlimit rl = { value, value };
    if (setrlimit(resource, &rl) != 0)
        _exit(5);
}

static void
harden(guint64 cpu_seconds)
{
    /* die with the parent; never regain privileges; no core dumps */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1)
        _exit(6);
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    prctl(PR_SET_DUMPABLE, 0);
    limit(RLIMIT_CORE, 0);
    limit(RLIMIT_NOFILE, 32);
    limit(RLIMIT_CPU, (rlim_t)cpu_seconds);
    /* only 0, 1 and 2 stay open */
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
}

/* VmData of this process, in bytes (0 if unknown) */
static guint64
vm_data(void)
{
    char *status = NULL;
    guint64 kb = 0;
    if (g_file_get_contents("/proc/self/status", &status, NULL, NULL)) {
        const char *p = strstr(status, "\nVmData:");
        if (p != NULL)
            kb = g_ascii_strtoull(p + 8, NULL, 10);
        g_free(status);
    }
    return kb * 1024;
}

/* RLIMIT_DATA once the engine is up: JavaScriptCore maps tens of GiB of
 * writable, unbacked address space for its VM at start (so neither
 * RLIMIT_AS nor RLIMIT_DATA can be set before), and what a script grows
 * afterwards is new mappings: at most @budget more. The parent also
 * watches the resident size (idp-run.c), for growth inside the
 * reservation. */
static void
limit_data(guint64 budget)
{
    guint64 now = vm_data();
    if (now == 0)
        _exit(5);
    limit(RLIMIT_DATA, (rlim_t)(now + budget));
}

/* A seccomp filter before the IdP's script runs (the engine and the
 * prelude are up): if a script found a hole in JavaScriptCore, the process
 * it would own still could not open a socket, run a program, start a
 * process, open a file for writing, change the file system, signal
 * another process, or trace one. A deny list (EPERM), not an allow list:
 * the engine's own threads, allocator and GC keep working. */
static void
install_seccomp(void)
{
    static const int denied[] = {
        SCMP_SYS(socket), SCMP_SYS(socketpair), SCMP_SYS(connect),
        SCMP_SYS(bind), SCMP_SYS(listen), SCMP_SYS(accept), SCMP_SYS(accept4),
        SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(fork), SCMP_SYS(vfork),
        SCMP_SYS(ptrace), SCMP_SYS(process_vm_readv),
        SCMP_SYS(process_vm_writev), SCMP_SYS(mount), SCMP_SYS(umount2),
        SCMP_SYS(chroot), SCMP_SYS(pivot_root), SCMP_SYS(setns),
        SCMP_SYS(unshare), SCMP_SYS(keyctl), SCMP_SYS(add_key),
        SCMP_SYS(request_key), SCMP_SYS(bpf), SCMP_SYS(perf_event_open),
        SCMP_SYS(userfaultfd), SCMP_SYS(init_module), SCMP_SYS(finit_module),
        SCMP_SYS(delete_module), SCMP_SYS(kexec_load), SCMP_SYS(reboot),
        SCMP_SYS(open_by_handle_at), SCMP_SYS(name_to_handle_at),
        SCMP_SYS(link), SCMP_SYS(linkat), SCMP_SYS(symlink),
        SCMP_SYS(symlinkat), SCMP_SYS(unlink), SCMP_SYS(unlinkat),
        SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
        SCMP_SYS(mkdir), SCMP_SYS(mkdirat), SCMP_SYS(rmdir), SCMP_SYS(chmod),
        SCMP_SYS(fchmod), SCMP_SYS(fchmodat), SCMP_SYS(chown),
        SCMP_SYS(fchown), SCMP_SYS(lchown), SCMP_SYS(fchownat),
        SCMP_SYS(truncate), SCMP_SYS(mknod), SCMP_SYS(mknodat),
        SCMP_SYS(setuid), SCMP_SYS(setgid), SCMP_SYS(setreuid),
        SCMP_SYS(setregid), SCMP_SYS(setresuid), SCMP_SYS(setresgid),
    };
    static const int write_flags[] = { O_WRONLY, O_RDWR, O_CREAT, O_TRUNC,
                                       O_APPEND };
    scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);
    int rc = f == NULL ? -1 : 0;
    for (gsize i = 0; rc == 0 && i < G_N_ELEMENTS(denied); i++)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), denied[i], 0);
    for (gsize i = 0; rc == 0 && i < G_N_ELEMENTS(write_flags); i++) {
        scmp_datum_t fl = (scmp_datum_t)write_flags[i];
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(open), 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, fl, fl));
        if (rc == 0)
            rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(openat), 1,
                                  SCMP_A2(SCMP_CMP_MASKED_EQ, fl, fl));
    }
    /* threads only (clone3's flags are out of reach: ENOSYS makes the C
     * library fall back to clone) */
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                              SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, 0));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    /* signals to ourselves only */
    scmp_datum_t self = (scmp_datum_t)getpid();
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kill), 1,
                              SCMP_A0(SCMP_CMP_NE, self));
    if (rc == 0)
        rc = seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(tgkill), 1,
                              SCMP_A0(SCMP_CMP_NE, self));
    if (rc == 0)
        rc = seccomp_load(f);
    if (f != NULL)
        seccomp_release(f);
    if (rc != 0)
        _exit(7);               /* never run the script unfiltered */
}

static void
run_script(JsonObject *req)
{
    const char *script = json_object_get_string_member_with_default(req, "script", NULL);
    const char *url = json_object_get_string_member_with_default(req, "url", "");
    const char *kind = json_object_get_string_member_with_default(req, "kind", "");
    JsonNode *loc = json_object_get_member(req, "location");
    JsonNode *args = json_object_get_member(req, "args");
    if (script == NULL || loc == NULL || args == NULL)
        finish_error("internal", "bad run request");

    /* the context and the prelude were made while the parent fetched
     * the script (main()) */
    JSCValue *prelude = g_steal_pointer(&sb.prelude);
    JSCValue *natives = jsc_value_new_object(sb.ctx, NULL, NULL);
    char *loc_text = json_to_string(loc, FALSE);
    JSCValue *v = jsc_value_new_string(sb.ctx, loc_text);
    jsc_value_object_set_property(natives, "location", v);
    g_object_unref(v);
    g_free(loc_text);
#define NATIVE(name, fn, ...)                                                  \
    do {                                                                       \
        JSCValue *f = jsc_value_new_function(sb.ctx, name, G_CALLBACK(fn),     \
                                             NULL, NULL, G_TYPE_NONE,          \
                                             __VA_ARGS__);                     \
        jsc_value_object_set_property(natives, name, f);                       \
        g_object_unref(f);                                                     \
    } while (0)
    NATIVE("done", native_done, 1, G_TYPE_STRING);
    NATIVE("fetch", native_fetch, 1, G_TYPE_STRING);
    NATIVE("setTimer", native_set_timer, 3, G_TYPE_INT, G_TYPE_INT, G_TYPE_BOOLEAN);
    NATIVE("clearTimer", native_clear_timer, 1, G_TYPE_INT);
#undef NATIVE
    sb.entry = jsc_value_function_call(prelude, JSC_TYPE_VALUE, natives, G_TYPE_NONE);
    if (jsc_context_get_exception(sb.ctx) != NULL || !jsc_value_is_object(sb.entry))
        finish_error("internal", "prelude failed");
    g_object_unref(natives);
    g_object_unref(prelude);
    limit_data(sb.memory);
    install_seccomp();

    /* a syntax error is a bad script; so is an exception while loading */
    JSCException *exc = NULL;
    JSCCheckSyntaxResult syn = jsc_context_check_syntax(
        sb.ctx, script, -1, JSC_CHECK_SYNTAX_MODE_SCRIPT, url, 1, &exc);
    if (syn != JSC_CHECK_SYNTAX_RESULT_SUCCESS) {
        char *m = exc ? jsc_exception_to_string(exc) : g_strdup("syntax error");
        finish_error("syntax", m);
    }
    JSCValue *r = jsc_context_evaluate_with_source_uri(sb.ctx, script, -1, url, 1);
    exc = jsc_context_get_exception(sb.ctx);
    if (exc != NULL) {
        char *m = jsc_exception_to_string(exc);
        finish_error("load", m);
    }
    if (r != NULL)
        g_object_unref(r);
    /* promise jobs queued by the script ran when evaluate returned */
    JSCValue *mode = jsc_value_object_invoke_method(sb.entry, "mode", G_TYPE_NONE);
    char *m = mode ? jsc_value_to_string(mode) : NULL;
    if (m == NULL || strcmp(m, "none") == 0)
        finish_error("none", "IdP failed to call rtcIdentityProvider.register()");
    g_free(m);
    if (mode != NULL)
        g_object_unref(mode);
    char *args_text = json_to_string(args, FALSE);
    JSCValue *cr = jsc_value_object_invoke_method(sb.entry, "call", G_TYPE_STRING,
                                                  kind, G_TYPE_STRING, args_text,
                                                  G_TYPE_NONE);
    g_free(args_text);
    if (cr != NULL)
        g_object_unref(cr);
    if (jsc_context_get_exception(sb.ctx) != NULL)
        finish_error("throw", "calling the IdP failed");
}

int
main(int argc, char **argv)
{
    guint64 memory = 768u * 1024 * 1024;
    guint64 cpu = 30;

    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--memory") == 0)
            memory = g_ascii_strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--cpu") == 0)
            cpu = g_ascii_strtoull(argv[i + 1], NULL, 10);
    }
    if (memory < 64u * 1024 * 1024 || cpu == 0) {
        fprintf(stderr, "usage: sealcall-idp-sandbox --memory BYTES --cpu SECONDS\n");
        return 2;
    }
    signal(SIGPIPE, SIG_DFL);
    sb.memory = memory;
    harden(cpu);
    /* no JIT: the interpreter is enough for an IdP proxy and leaves no
     * writable-executable memory; no WebAssembly either */
    jsc_options_set_boolean(JSC_OPTIONS_USE_JIT, FALSE);
    jsc_options_set_boolean("useWebAssembly", FALSE);

    sb.timers = g_hash_table_new(NULL, NULL);
    sb.inbuf = g_string_new(NULL);
    /* a fresh engine, made before the request arrives: the parent starts
     * us as it starts fetching the script, so this costs no wall time;
     * nothing of the IdP runs in it before the limits and the seccomp
     * filter of run_script() */
    sb.ctx = jsc_context_new();
    sb.prelude = jsc_context_evaluate_with_source_uri(
        sb.ctx, sc_sandbox_prelude_js, -1, "sealcall:prelude", 1);
    char *first = read_first_line();
    JsonParser *p = json_parser_new();
    if (!json_parser_load_from_data(p, first, -1, NULL) ||
        !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
        finish_error("internal", "bad run request");
    g_free(first);
    sb.loop = g_main_loop_new(NULL, FALSE);
    GIOChannel *ch = g_io_channel_unix_new(STDIN_FILENO);
    g_io_add_watch(ch, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, NULL);
    run_script(json_node_get_object(json_parser_get_root(p)));
    /* lines that arrived with the first one */
    char *nl;
    while ((nl = memchr(sb.inbuf->str, '\n', sb.inbuf->len)) != NULL) {
        *nl = '\0';
        handle_line(sb.inbuf->str);
        g_string_erase(sb.inbuf, 0, (gssize)(nl - sb.inbuf->str) + 1);
    }
    g_main_loop_run(sb.loop);
    return 0;
}
