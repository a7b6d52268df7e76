/*
 * fuzz-gmch.c: the config space of an IGD (sysfs `config`, a VFIO region
 * or a captured dump) through igd_gmch_decode() for every platform of the
 * device table, and what each modelled QEMU version does with it
 * (igd_qemu_model_igd_full()) on each kind of machine.
 *
 * Input: byte 0 QEMU version, byte 1 machine type, byte 2-3 x-igd-gms
 * (negative: unset), byte 4 x-igd-legacy-mode (bits 0-1) and what the host
 * and domain give QEMU (bits 2-6: not at 00:02.0, no kernel regions, no
 * VGA region, 00:1f.0 taken, a romfile); the rest is the
 * config space. The platform is the one of the device id at config 0x02
 * when the table knows it, else the entry id % table size (the QEMU model
 * then sees an id igd-assign does not know).
 *
 * Properties: decode's fields are the ones its parts compute (GMS, GGMS,
 * stolen and GTT sizes, BDSM offset), BDSM/ASLS present exactly when the
 * dump holds them; the model succeeds for every version, with values in
 * range (guest GMS fits its field, x-igd-gms needed within QEMU's maximum).
 */
#include "config.h"

#include "fuzz.h"
#include "igd-common.h"
#include "igd-devices.h"
#include "igd-gmch.h"
#include "igd-qemu.h"

#define HEADER 5

static const guint qemu_versions[][3] = {
    { 2, 12, 0 }, { 5, 2, 0 }, { 6, 2, 0 }, { 7, 2, 0 }, { 8, 2, 2 }, { 9, 1, 0 }, { 9, 1, 50 }, { 9, 2, 0 },
    { 9, 2, 90 }, { 10, 0, 0 }, { 10, 0, 50 }, { 10, 1, 0 }, { 10, 1, 90 }, { 10, 2, 0 }, { 11, 0, 0 }, { 11, 1, 0 },
    { 11, 2, 50 }, { 99, 9, 99 },
};

static const char *const machines[] = {
    NULL, "pc", "q35", "pc-i440fx-7.2", "pc-q35-7.2", "pc-i440fx-10.1", "pc-1.0", "isapc", "microvm", "", "q35-x",
};

static void
check_decode(const IgdPlatformInfo *platform, const guint8 *config, gsize len, const IgdGmchInfo *info)
{
    guint bdsm_off = igd_gmch_bdsm_offset(platform);
    gsize bdsm_size = bdsm_off == IGD_BDSM_GEN11 ? IGD_BDSM_GEN11_SIZE : IGD_BDSM_SIZE;

    FUZZ_CHECK(info->ggc == igd_le16(config + IGD_GMCH), "ggc 0x%x is not config[0x50]", info->ggc);
    FUZZ_CHECK(info->gms == igd_gmch_get_gms(platform, info->ggc), "gms differs from igd_gmch_get_gms()");
    FUZZ_CHECK(info->ggms == igd_gmch_get_ggms(platform, info->ggc), "ggms differs from igd_gmch_get_ggms()");
    FUZZ_CHECK(info->stolen_bytes == igd_gmch_stolen_bytes(platform, info->gms), "stolen bytes differ");
    FUZZ_CHECK(info->gtt_bytes == igd_gmch_gtt_bytes(platform, info->ggms), "GTT bytes differ");
    FUZZ_CHECK(info->bdsm_offset == bdsm_off, "BDSM offset 0x%x, platform says 0x%x", info->bdsm_offset, bdsm_off);
    /* offset 0: a platform without BDSM (IGD_PLATFORM_FLAG_NO_BDSM) */
    FUZZ_CHECK(info->bdsm_present == (bdsm_off != 0 && len >= bdsm_off + bdsm_size), "bdsm_present wrong for %zu bytes",
               len);
    FUZZ_CHECK(info->asls_present == (len >= IGD_ASLS + IGD_ASLS_SIZE), "asls_present wrong for %zu bytes", len);
    FUZZ_CHECK(info->bdsm_present || info->bdsm == 0, "BDSM value without the register");
    FUZZ_CHECK(info->asls_present || info->asls == 0, "ASLS value without the register");
    if (info->asls_present)
        FUZZ_CHECK(info->asls == igd_le32(config + IGD_ASLS), "asls is not config[0xfc]");
    FUZZ_CHECK(info->vga_disabled == !!(info->ggc & IGD_GMCH_IVD), "vga_disabled is not GGC bit 1");
    FUZZ_CHECK(info->stolen_bytes <= G_GUINT64_CONSTANT(1) << 40, "stolen memory of %" G_GUINT64_FORMAT " bytes",
               info->stolen_bytes);
}

static void
check_model(const IgdQemuCaps *caps, const IgdQemuModelRequest *req)
{
    IgdQemuIgdModel m = { 0 };
    g_autoptr(GError) error = NULL;
    gboolean ok = igd_qemu_model_igd(caps, req, &m, &error);

    FUZZ_CHECK(ok && error == NULL, "QEMU %u.%u.%u model failed: %s", caps->major, caps->minor, caps->micro,
               error ? error->message : "no error set");
    if (ok) {
        FUZZ_CHECK(m.qemu_gen == igd_qemu_gen(caps, req->device_id), "model gen %d, igd_qemu_gen() %d", m.qemu_gen,
                   igd_qemu_gen(caps, req->device_id));
        FUZZ_CHECK(m.guest_gms <= 0xff, "guest GMS 0x%x does not fit GGC", m.guest_gms);
        FUZZ_CHECK(m.x_igd_gms_needed >= -1, "x_igd_gms_needed %d", m.x_igd_gms_needed);
        FUZZ_CHECK(m.x_igd_gms_needed < 0 || (guint)m.x_igd_gms_needed <= m.x_igd_gms_max,
                   "x-igd-gms %d needed, above the maximum %u", m.x_igd_gms_needed, m.x_igd_gms_max);
        FUZZ_CHECK(!m.legacy_possible || m.legacy_reason == NULL, "legacy possible, with a reason why not");
        FUZZ_CHECK(m.bdsm_offset == 0 || m.bdsm_offset == IGD_BDSM || m.bdsm_offset == IGD_BDSM_GEN11,
                   "BDSM offset 0x%x", m.bdsm_offset);
        FUZZ_CHECK((m.crash == IGD_QEMU_CRASH_NONE) == (m.crash_reason == NULL), "crash %d with reason %s", m.crash,
                   m.crash_reason ? m.crash_reason : "(none)");
        FUZZ_CHECK(m.crash == IGD_QEMU_CRASH_NONE || m.start_error == NULL, "a crash and a start error at once");
        FUZZ_CHECK(m.bdsm_size_file || m.bdsm_size == 0, "a bdsm-size without the file");
        /* a value the model crashes on is one igd_qemu_gms_crashes() names, so it is never written */
        if (m.crash == IGD_QEMU_CRASH_GMS)
            FUZZ_CHECK(req->x_igd_gms > 0 && igd_qemu_gms_crashes(caps, req->device_id, req->x_igd_gms, NULL),
                       "the model crashes on x-igd-gms=%d, igd_qemu_gms_crashes() does not say so", req->x_igd_gms);
        if (m.x_igd_gms_needed > 0)
            FUZZ_CHECK(!igd_qemu_gms_crashes(caps, req->device_id, m.x_igd_gms_needed, NULL),
                       "the x-igd-gms=%d the model asks for crashes QEMU %u.%u", m.x_igd_gms_needed, caps->major,
                       caps->minor);
    }
    igd_qemu_igd_model_clear(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gsize n_platforms = 0;
    const IgdPlatformInfo *table = igd_platform_table(&n_platforms);
    const IgdPlatformInfo *platform;
    const guint *v;
    const char *machine;
    gint x_igd_gms;
    IgdQemuLegacyMode legacy;
    guint16 device_id;
    const guint8 *config;
    gsize len;
    IgdGmchInfo info = { 0 };
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdQemuCaps) caps = NULL;
    IgdQemuModelRequest req;
    gboolean ok;

    fuzz_setup();
    if (size < HEADER || n_platforms == 0)
        return 0;
    v = qemu_versions[data[0] % G_N_ELEMENTS(qemu_versions)];
    machine = machines[data[1] % G_N_ELEMENTS(machines)];
    x_igd_gms = (gint16)igd_le16(data + 2);
    if (x_igd_gms < 0)
        x_igd_gms = -1;
    legacy = (IgdQemuLegacyMode)((data[4] & 3) % 3);
    config = data + HEADER;
    len = size - HEADER;
    device_id = len >= 4 ? igd_le16(config + 2) : 0;
    platform = igd_platform_lookup(device_id);
    if (platform == NULL)
        platform = &table[device_id % n_platforms];

    FUZZ_CHECK(igd_platform_lookup(platform->device_id) == platform, "table entry 0x%04x not found by lookup",
               platform->device_id);
    FUZZ_CHECK(!igd_gmch_decode(NULL, config, len, &info, NULL), "decode without a platform succeeded");
    ok = igd_gmch_decode(platform, config, len, &info, &error);
    FUZZ_CHECK(ok == (error == NULL), "decode: result and error disagree");
    FUZZ_CHECK(ok == (len >= IGD_GMCH + IGD_GMCH_SIZE), "decode of %zu bytes: %s", len, ok ? "ok" : error->message);
    if (ok)
        check_decode(platform, config, len, &info);

    caps = igd_qemu_caps_new_for_version(v[0], v[1], v[2]);
    igd_qemu_model_request_init(&req, device_id);
    req.platform = igd_platform_lookup(device_id);
    req.gmch = ok ? &info : NULL;
    req.x_igd_gms = x_igd_gms;
    req.machine = machine;
    req.legacy_mode = legacy;
    req.setup.at_02_0 = !(data[4] & 0x04);
    req.setup.kernel_regions = !(data[4] & 0x08);
    req.setup.vga_region = !(data[4] & 0x10);
    req.setup.slot_1f_free = !(data[4] & 0x20);
    req.setup.romfile = !!(data[4] & 0x40);
    check_model(caps, &req);
    igd_qemu_model_request_init(&req, device_id);
    check_model(caps, &req);
    for (gint gen = -1; gen <= 12; gen++)
        (void)igd_qemu_gms_to_bytes(caps, gen, ok ? info.gms : 0);
    return 0;
}
