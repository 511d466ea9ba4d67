/* tests/unit/test-sigmsg.c - signaling message codec (contract section 1).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include "core/core.h"
#include "signaling/signaling.h"
#include "test-util.h"

#include <string.h>

static ScSigMsg *
parse_ok(const char *text)
{
    g_autoptr(GError) error = NULL;
    ScSigMsg *msg = sc_sig_msg_parse(text, strlen(text), &error);

    g_assert_no_error(error);
    g_assert_nonnull(msg);
    return msg;
}

static void
parse_fails(const char *text, gsize len)
{
    g_autoptr(GError) error = NULL;
    g_autoptr(ScSigMsg) msg = sc_sig_msg_parse(text, len, &error);

    g_assert_null(msg);
    g_assert_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    g_assert_null(strchr(error->message, '\n')); /* one line */
}

static void
test_room(void)
{
    g_autoptr(ScSigMsg) m = parse_ok("{\"type\":\"room\",\"peers\":1}");
    g_autofree char *json = NULL;

    g_assert_cmpint(m->type, ==, SC_SIG_MSG_ROOM);
    g_assert_cmpstr(m->type_name, ==, "room");
    g_assert_cmpint(m->peers, ==, 1);
    json = sc_sig_msg_to_json(m);
    g_assert_cmpstr(json, ==, "{\"type\":\"room\",\"peers\":1}");
}

static void
test_simple_types(void)
{
    g_autoptr(ScSigMsg) j = parse_ok("{\"type\":\"peer-joined\"}");
    g_autoptr(ScSigMsg) l = parse_ok(" { \"type\" : \"peer-left\" } ");
    g_autofree char *jj = sc_sig_msg_to_json(j);
    g_autofree char *lj = sc_sig_msg_to_json(l);

    g_assert_cmpint(j->type, ==, SC_SIG_MSG_PEER_JOINED);
    g_assert_cmpint(l->type, ==, SC_SIG_MSG_PEER_LEFT);
    g_assert_cmpstr(jj, ==, "{\"type\":\"peer-joined\"}");
    g_assert_cmpstr(lj, ==, "{\"type\":\"peer-left\"}");
}

static void
test_offer_answer(void)
{
    const char *text = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 IN IP4 "
                       "127.0.0.1\\r\\n\",\"extra\":[1,2]}";
    g_autoptr(ScSigMsg) o = parse_ok(text);
    g_autoptr(ScSigMsg) a = parse_ok("{\"sdp\":\"x\",\"type\":\"answer\"}");
    g_autoptr(ScSigMsg) back = NULL;
    g_autofree char *json = NULL;

    g_assert_cmpint(o->type, ==, SC_SIG_MSG_OFFER);
    g_assert_cmpstr(o->sdp, ==, "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
    g_assert_cmpint(a->type, ==, SC_SIG_MSG_ANSWER);
    g_assert_cmpstr(a->sdp, ==, "x");

    json = sc_sig_msg_to_json(o);
    g_assert_cmpstr(json, ==, "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\no=- 1 2 "
                              "IN IP4 127.0.0.1\\r\\n\"}");
    back = parse_ok(json);
    g_assert_cmpstr(back->sdp, ==, o->sdp);
}

static void
test_candidate(void)
{
    g_autoptr(ScSigMsg) c = parse_ok(
        "{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp 2122260223 "
        "127.0.0.1 5000 typ host\",\"sdpMid\":\"0\",\"sdpMLineIndex\":0}");
    g_autoptr(ScSigMsg) end = parse_ok(
        "{\"type\":\"candidate\",\"candidate\":\"\"}");
    g_autoptr(ScSigMsg) nulls = parse_ok(
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMid\":null,"
        "\"sdpMLineIndex\":null}");
    g_autofree char *json = sc_sig_msg_to_json(c);
    g_autofree char *end_json = sc_sig_msg_to_json(end);

    g_assert_cmpint(c->type, ==, SC_SIG_MSG_CANDIDATE);
    g_assert_cmpstr(c->sdp_mid, ==, "0");
    g_assert_cmpint(c->sdp_mline_index, ==, 0);
    g_assert_cmpstr(json, ==,
                    "{\"type\":\"candidate\",\"candidate\":\"candidate:1 1 udp "
                    "2122260223 127.0.0.1 5000 typ host\",\"sdpMid\":\"0\","
                    "\"sdpMLineIndex\":0}");

    /* end of candidates: an empty string, not NULL */
    g_assert_nonnull(end->candidate);
    g_assert_cmpstr(end->candidate, ==, "");
    g_assert_null(end->sdp_mid);
    g_assert_cmpint(end->sdp_mline_index, ==, -1);
    g_assert_cmpstr(end_json, ==, "{\"type\":\"candidate\",\"candidate\":\"\"}");
    g_assert_null(nulls->sdp_mid);
    g_assert_cmpint(nulls->sdp_mline_index, ==, -1);
}

static void
test_bye(void)
{
    g_autoptr(ScSigMsg) b = parse_ok("{\"type\":\"bye\",\"reason\":\"hangup\"}");
    g_autoptr(ScSigMsg) plain = parse_ok("{\"type\":\"bye\"}");
    g_autoptr(ScSigMsg) made = sc_sig_msg_new(SC_SIG_MSG_BYE);
    g_autofree char *json = NULL;
    g_autofree char *made_json = NULL;

    g_assert_cmpint(b->type, ==, SC_SIG_MSG_BYE);
    g_assert_cmpstr(b->reason, ==, "hangup");
    g_assert_null(plain->reason);
    json = sc_sig_msg_to_json(b);
    g_assert_cmpstr(json, ==, "{\"type\":\"bye\",\"reason\":\"hangup\"}");
    made_json = sc_sig_msg_to_json(made);
    g_assert_cmpstr(made_json, ==, "{\"type\":\"bye\"}");
}

static void
test_unknown(void)
{
    g_autoptr(ScSigMsg) u = parse_ok("{\"type\":\"hello\",\"x\":1}");
    g_autofree char *json = sc_sig_msg_to_json(u);

    g_assert_cmpint(u->type, ==, SC_SIG_MSG_UNKNOWN);
    g_assert_cmpstr(u->type_name, ==, "hello");
    g_assert_cmpstr(json, ==, "{\"type\":\"hello\"}");
}

static void
test_build(void)
{
    g_autoptr(ScSigMsg) c = sc_sig_msg_new(SC_SIG_MSG_CANDIDATE);
    g_autofree char *json = NULL;

    g_assert_cmpstr(c->type_name, ==, "candidate");
    c->candidate = g_strdup("candidate:x \"quoted\"");
    c->sdp_mline_index = 1;
    json = sc_sig_msg_to_json(c);
    g_assert_cmpstr(json, ==,
                    "{\"type\":\"candidate\",\"candidate\":\"candidate:x "
                    "\\\"quoted\\\"\",\"sdpMLineIndex\":1}");
}

static void
test_type_names(void)
{
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_ROOM), ==, "room");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_PEER_JOINED), ==,
                    "peer-joined");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_PEER_LEFT), ==,
                    "peer-left");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_OFFER), ==, "offer");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_ANSWER), ==,
                    "answer");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_CANDIDATE), ==,
                    "candidate");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_BYE), ==, "bye");
    g_assert_cmpstr(sc_sig_msg_type_to_string(SC_SIG_MSG_UNKNOWN), ==,
                    "unknown");
    g_assert_cmpstr(sc_sig_msg_type_to_string((ScSigMsgType)99), ==,
                    "unknown");
}

static void
test_malformed(void)
{
    static const char *const bad[] = {
        "",
        "not json",
        "{",
        "{\"type\":\"offer\",\"sdp\":\"x\"",
        "[]",
        "[{\"type\":\"offer\"}]",
        "\"offer\"",
        "42",
        "null",
        "{}",
        "{\"type\":42}",
        "{\"type\":null}",
        "{\"type\":[\"offer\"]}",
        "{\"type\":\"offer\"}",
        "{\"type\":\"offer\",\"sdp\":1}",
        "{\"type\":\"answer\",\"sdp\":null}",
        "{\"type\":\"candidate\"}",
        "{\"type\":\"candidate\",\"candidate\":null}",
        "{\"type\":\"candidate\",\"candidate\":5}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMid\":0}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMLineIndex\":\"0\"}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMLineIndex\":-1}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMLineIndex\":1.5}",
        "{\"type\":\"candidate\",\"candidate\":\"\",\"sdpMLineIndex\":70000}",
        "{\"type\":\"room\"}",
        "{\"type\":\"room\",\"peers\":\"1\"}",
        "{\"type\":\"room\",\"peers\":-1}",
        "{\"type\":\"bye\",\"reason\":7}",
        "{\"type\":\"offer\",\"sdp\":\"x\"} trailing",
    };

    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_test_message("input: %s", bad[i]);
        parse_fails(bad[i], strlen(bad[i]));
    }
    /* NUL inside the frame */
    parse_fails("{\"type\":\"bye\"}\0garbage", 22);
    /* deep nesting is refused before the recursive parser sees it */
    {
        GString *deep = g_string_new("{\"type\":\"bye\",\"x\":");
        for (int i = 0; i < 100000; i++)
            g_string_append_c(deep, '[');
        for (int i = 0; i < 100000; i++)
            g_string_append_c(deep, ']');
        g_string_append_c(deep, '}');
        parse_fails(deep->str, deep->len);
        g_assert_false(sc_sig_json_is_object(deep->str, deep->len));
        g_string_free(deep, TRUE);
    }
    /* brackets inside strings do not count as nesting */
    {
        GString *s = g_string_new("{\"type\":\"offer\",\"sdp\":\"");
        for (int i = 0; i < 1000; i++)
            g_string_append(s, "[{\\\"");
        g_string_append(s, "\"}");
        g_autoptr(ScSigMsg) m = parse_ok(s->str);
        g_assert_cmpint(m->type, ==, SC_SIG_MSG_OFFER);
        g_string_free(s, TRUE);
    }
}

static void
test_is_object(void)
{
    g_assert_true(sc_sig_json_is_object("{}", 2));
    g_assert_true(sc_sig_json_is_object("{\"a\":[1,{\"b\":null}]}", 20));
    g_assert_false(sc_sig_json_is_object("[]", 2));
    g_assert_false(sc_sig_json_is_object("", 0));
    g_assert_false(sc_sig_json_is_object("{} {}", 5));
    g_assert_false(sc_sig_json_is_object("{\"a\"}", 5));
    /* length is honoured: no NUL terminator needed */
    g_assert_true(sc_sig_json_is_object("{}xyz", 2));
}

/* RFC 8259 strictly: json-glib alone accepts every one of the "bad" ones
 * (contract section 1: frames that are not valid JSON are dropped). */
static void
test_strict_json(void)
{
    static const char *const good[] = {
        "{\"n\":0}", "{\"n\":-0}", "{\"n\":10}", "{\"n\":-1.5e+3}",
        "{\"n\":0.25E-2}", "{\"n\":[true,false,null]}", " {\"n\" : 1 } ",
        "{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\uD83D\\uDE00\"}",
        "{\"s\":\"\xc3\xa9\"}", "{\"n\":1,\"m\":{\"k\":[]}}",
    };
    static const char *const bad[] = {
        "{\"n\":01}", "{\"n\":-01}", "{\"n\":00}", "{\"n\":0777}",
        "{\"n\":0x10}", "{\"n\":1.}", "{\"n\":.5}", "{\"n\":1e}",
        "{\"n\":+1}", "{/*c*/\"n\":1}", "{\"n\":1}//", "{'n':1}",
        "{\"n\":\"a\tb\"}", "{\"n\":\"a\nb\"}", "{\"n\":\"\\x41\"}",
        "{\"n\":\"\\'\"}", "{\"n\":\"\\u12\"}", "{\"n\":\"\xff\"}",
        "{\"n\":\"\xc3\"}", "{\"n\":truex}", "{\"n\":True}", "{\"n\":nul}",
        "{\"n\":NaN}", "{\"n\":-Infinity}", "{\"n\":1 2}", "{\"n\":1,}",
    };

    for (gsize i = 0; i < G_N_ELEMENTS(good); i++) {
        g_test_message("good: %s", good[i]);
        g_assert_true(sc_sig_json_is_object(good[i], strlen(good[i])));
        g_assert_cmpint(sc_sig_relay_frame_check(good[i], strlen(good[i])),
                        ==, SC_SIG_FRAME_OK);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        g_autoptr(ScSigMsg) m = NULL;
        g_autofree char *typed =
            g_strdup_printf("{\"type\":\"bye\",\"x\":%s}", bad[i]);

        g_test_message("bad: %s", bad[i]);
        g_assert_false(sc_sig_json_is_object(bad[i], strlen(bad[i])));
        g_assert_cmpint(sc_sig_relay_frame_check(bad[i], strlen(bad[i])),
                        ==, SC_SIG_FRAME_NOT_OBJECT);
        /* the endpoint's parser applies the same rules */
        m = sc_sig_msg_parse(typed, strlen(typed), &error);
        g_assert_null(m);
        g_assert_error(error, SC_ERROR, SC_ERROR_SIGNALING_FAILED);
    }
}

/* Frames the relay must not forward besides malformed ones. */
static void
test_relay_frame_check(void)
{
    static const char *const reserved[] = {
        "{\"type\":\"room\",\"peers\":0}", "{\"type\":\"peer-joined\"}",
        "{\"type\":\"peer-left\"}", "{\"type\":\"p\\u0065er-left\"}",
        "{\"x\":1,\"type\":\"room\"}",
    };
    static const char *const forwarded[] = {
        "{\"type\":\"offer\",\"sdp\":\"v=0\"}", "{\"type\":\"bye\"}",
        "{\"type\":\"rooms\"}", "{\"type\":\"Room\"}", "{\"type\":1}",
        "{\"type\":null}", "{\"type\":[\"room\"]}", "{}",
    };
    g_autofree char *big = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS(reserved); i++)
        g_assert_cmpint(sc_sig_relay_frame_check(reserved[i],
                                                 strlen(reserved[i])),
                        ==, SC_SIG_FRAME_RESERVED_TYPE);
    for (gsize i = 0; i < G_N_ELEMENTS(forwarded); i++)
        g_assert_cmpint(sc_sig_relay_frame_check(forwarded[i],
                                                 strlen(forwarded[i])),
                        ==, SC_SIG_FRAME_OK);
    big = g_strnfill(SC_SIG_MAX_FRAME + 1, ' ');
    big[0] = '{';
    big[SC_SIG_MAX_FRAME] = '}';
    g_assert_cmpint(sc_sig_relay_frame_check(big, SC_SIG_MAX_FRAME + 1), ==,
                    SC_SIG_FRAME_TOO_BIG);
    g_assert_cmpint(sc_sig_relay_frame_check(big + 1, SC_SIG_MAX_FRAME), ==,
                    SC_SIG_FRAME_NOT_OBJECT);
    g_assert_cmpstr(sc_sig_frame_verdict_to_string(SC_SIG_FRAME_RESERVED_TYPE),
                    ==, "of a type reserved to the relay");
}

static void
test_room_names(void)
{
    g_autofree char *max = g_strnfill(64, 'a');
    g_autofree char *over = g_strnfill(65, 'a');

    g_assert_true(sc_sig_room_name_is_valid("a"));
    g_assert_true(sc_sig_room_name_is_valid("Room_1-x"));
    g_assert_true(sc_sig_room_name_is_valid(max));
    g_assert_false(sc_sig_room_name_is_valid(over));
    g_assert_false(sc_sig_room_name_is_valid(""));
    g_assert_false(sc_sig_room_name_is_valid(NULL));
    g_assert_false(sc_sig_room_name_is_valid("a/b"));
    g_assert_false(sc_sig_room_name_is_valid("a b"));
    g_assert_false(sc_sig_room_name_is_valid("caf\xc3\xa9"));
    g_assert_false(sc_sig_room_name_is_valid("a%20"));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/signaling/msg/room", test_room);
    g_test_add_func("/signaling/msg/simple-types", test_simple_types);
    g_test_add_func("/signaling/msg/offer-answer", test_offer_answer);
    g_test_add_func("/signaling/msg/candidate", test_candidate);
    g_test_add_func("/signaling/msg/bye", test_bye);
    g_test_add_func("/signaling/msg/unknown", test_unknown);
    g_test_add_func("/signaling/msg/build", test_build);
    g_test_add_func("/signaling/msg/type-names", test_type_names);
    g_test_add_func("/signaling/msg/malformed", test_malformed);
    g_test_add_func("/signaling/msg/is-object", test_is_object);
    g_test_add_func("/signaling/msg/strict-json", test_strict_json);
    g_test_add_func("/signaling/msg/relay-frame-check",
                    test_relay_frame_check);
    g_test_add_func("/signaling/msg/room-names", test_room_names);
    return g_test_run();
}
