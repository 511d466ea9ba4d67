/* tests/unit/test-dcep.c - DCEP codec (RFC 8832 sections 5.1, 5.2, 6.2).
 * SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "sctp/dcep.h"
#include "test-util.h"

/* standards digest section 4.4: reliable, priority 256, "chat", "" */
static const guint8 example_open[] = {
    0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x04, 0x00, 0x00, 0x63, 0x68, 0x61, 0x74,
};

static void
assert_roundtrip(const guint8 *frame, gsize len)
{
    ScDcepOpen o;
    g_autofree guint8 *built = NULL;
    gsize built_len = 0;

    g_assert_cmpint(sc_dcep_parse_open(frame, len, &o), ==, SC_OK);
    built = sc_dcep_build_open(&o, &built_len);
    g_assert_nonnull(built);
    g_assert_cmpmem(built, built_len, frame, len);
    sc_dcep_open_clear(&o);
}

static void
test_example(void)
{
    ScDcepOpen o;

    g_assert_cmpint(sc_dcep_parse_open(example_open, sizeof(example_open), &o),
                    ==, SC_OK);
    g_assert_cmpint(o.channel_type, ==, SC_DCEP_RELIABLE);
    g_assert_cmpuint(o.priority, ==, 256);
    g_assert_cmpuint(o.reliability, ==, 0);
    g_assert_cmpstr(o.label, ==, "chat");
    g_assert_cmpuint(o.label_len, ==, 4);
    g_assert_cmpstr(o.protocol, ==, "");
    g_assert_cmpuint(o.protocol_len, ==, 0);
    sc_dcep_open_clear(&o);
    g_assert_null(o.label);
    sc_dcep_open_clear(&o); /* idempotent */

    assert_roundtrip(example_open, sizeof(example_open));
    g_assert_false(sc_dcep_is_ack(example_open, sizeof(example_open)));
    g_assert_true(sc_dcep_is_open(example_open, sizeof(example_open)));
}

static void
test_build_roundtrip(void)
{
    static const ScDcepChannelType types[] = {
        SC_DCEP_RELIABLE, SC_DCEP_RELIABLE_UNORDERED,
        SC_DCEP_PARTIAL_RELIABLE_REXMIT,
        SC_DCEP_PARTIAL_RELIABLE_REXMIT_UNORDERED,
        SC_DCEP_PARTIAL_RELIABLE_TIMED,
        SC_DCEP_PARTIAL_RELIABLE_TIMED_UNORDERED,
    };

    for (gsize i = 0; i < G_N_ELEMENTS(types); i++) {
        ScDcepOpen in = {
            .channel_type = types[i],
            .priority = 512,
            .reliability = (guint32)(i * 1000 + 7),
            .label = (char *)"ch\xc3\xa4t",
            .label_len = 5,
            .protocol = (char *)"xmpp",
            .protocol_len = 4,
        };
        ScDcepOpen out;
        gsize len = 0;
        g_autofree guint8 *frame = sc_dcep_build_open(&in, &len);

        g_assert_nonnull(frame);
        g_assert_cmpuint(len, ==, 12 + 5 + 4);
        g_assert_cmpint(sc_dcep_parse_open(frame, len, &out), ==, SC_OK);
        g_assert_cmpint(out.channel_type, ==, types[i]);
        g_assert_cmpuint(out.priority, ==, 512);
        g_assert_cmpuint(out.reliability, ==, in.reliability);
        g_assert_cmpstr(out.label, ==, "ch\xc3\xa4t");
        g_assert_cmpstr(out.protocol, ==, "xmpp");
        sc_dcep_open_clear(&out);
        assert_roundtrip(frame, len);
    }
}

static void
test_truncations(void)
{
    ScDcepOpen o;

    for (gsize len = 0; len < sizeof(example_open); len++) {
        g_assert_cmpint(sc_dcep_parse_open(example_open, len, &o), ==,
                        SC_DROP_MALFORMED);
        g_assert_null(o.label);
        g_assert_null(o.protocol);
    }
    g_assert_cmpint(sc_dcep_parse_open(NULL, 0, &o), ==, SC_DROP_MALFORMED);
}

static void
test_rejects(void)
{
    guint8 f[sizeof(example_open)];
    ScDcepOpen o;
    static const guint8 bad_types[] = { 0x03, 0x7f, 0xff, 0x80 | 0x03, 0x10 };
    static const guint8 bad_msgs[] = { 0x00, 0x01, 0x02, 0xff };

    for (gsize i = 0; i < G_N_ELEMENTS(bad_types); i++) {
        memcpy(f, example_open, sizeof(f));
        f[1] = bad_types[i];
        g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                        SC_DROP_MALFORMED);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(bad_msgs); i++) {
        memcpy(f, example_open, sizeof(f));
        f[0] = bad_msgs[i];
        g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                        SC_DROP_MALFORMED);
    }
    /* protocol length runs past the buffer */
    memcpy(f, example_open, sizeof(f));
    f[11] = 1;
    g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                    SC_DROP_MALFORMED);
    /* huge label length */
    memcpy(f, example_open, sizeof(f));
    f[8] = 0xff;
    f[9] = 0xff;
    g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                    SC_DROP_MALFORMED);
    /* embedded NUL and invalid UTF-8 in the label */
    memcpy(f, example_open, sizeof(f));
    f[13] = 0x00;
    g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                    SC_DROP_MALFORMED);
    f[13] = 0xc3;
    g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==,
                    SC_DROP_MALFORMED);
}

static void
test_trailing_bytes(void)
{
    guint8 f[sizeof(example_open) + 3];
    ScDcepOpen o;

    memcpy(f, example_open, sizeof(example_open));
    memset(f + sizeof(example_open), 0xaa, 3);
    g_assert_cmpint(sc_dcep_parse_open(f, sizeof(f), &o), ==, SC_OK);
    g_assert_cmpstr(o.label, ==, "chat");
    sc_dcep_open_clear(&o);
}

static void
test_long_label(void)
{
    ScDcepOpen in = { .channel_type = SC_DCEP_RELIABLE, .priority = 256 };
    ScDcepOpen out;
    g_autofree char *label = g_malloc(65536);
    g_autofree char *proto = g_malloc(65536);
    g_autofree guint8 *frame = NULL;
    gsize len = 0;

    memset(label, 'l', 65535);
    label[65535] = '\0';
    memset(proto, 'p', 65535);
    proto[65535] = '\0';
    in.label = label;
    in.label_len = 65535;
    in.protocol = proto;
    in.protocol_len = 65535;
    frame = sc_dcep_build_open(&in, &len);
    g_assert_nonnull(frame);
    g_assert_cmpuint(len, ==, 12 + 2 * 65535);
    g_assert_cmpint(sc_dcep_parse_open(frame, len, &out), ==, SC_OK);
    g_assert_cmpuint(out.label_len, ==, 65535);
    g_assert_cmpuint(strlen(out.label), ==, 65535);
    g_assert_cmpuint(out.protocol_len, ==, 65535);
    sc_dcep_open_clear(&out);

    /* the declared lengths, read from the header alone (a receiver
     * refuses an oversized OPEN before anything is copied) */
    {
        gsize ll = 1, pl = 1;
        g_assert_true(sc_dcep_open_text_lengths(frame, 12, &ll, &pl));
        g_assert_cmpuint(ll, ==, 65535);
        g_assert_cmpuint(pl, ==, 65535);
        g_assert_false(sc_dcep_open_text_lengths(frame, 11, &ll, &pl));
        g_assert_cmpuint(ll, ==, 0);
        g_assert_cmpuint(pl, ==, 0);
        frame[0] = SC_DCEP_MSG_ACK;
        g_assert_false(sc_dcep_open_text_lengths(frame, len, &ll, &pl));
    }

    in.label_len = 65536;
    g_assert_null(sc_dcep_build_open(&in, &len));
}

static void
test_ack(void)
{
    static const guint8 ack[] = { 0x02 };

    g_assert_true(sc_dcep_is_ack(ack, 1));
    g_assert_false(sc_dcep_is_ack(ack, 0));
    g_assert_false(sc_dcep_is_ack(NULL, 0));
    g_assert_false(sc_dcep_is_ack(example_open, 1));
    g_assert_false(sc_dcep_is_open(ack, 1));
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sctp/dcep/example", test_example);
    g_test_add_func("/sctp/dcep/build-roundtrip", test_build_roundtrip);
    g_test_add_func("/sctp/dcep/truncations", test_truncations);
    g_test_add_func("/sctp/dcep/rejects", test_rejects);
    g_test_add_func("/sctp/dcep/trailing-bytes", test_trailing_bytes);
    g_test_add_func("/sctp/dcep/long-label", test_long_label);
    g_test_add_func("/sctp/dcep/ack", test_ack);
    return g_test_run();
}
