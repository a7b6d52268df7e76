/*
 * test-host.c: the host readiness checks (igd-host.c) on every captured host
 * tree (tests/data/hosts, see each README.md), plus broken host input.
 *
 * The expected results follow from the fixture data, as worked out in the
 * tree READMEs:
 *  - "Kernel driver in use: i915" in the lspci capture → driver FAIL;
 *  - the earlydump was captured before any driver bound → driver WARN;
 *  - the IdeaPad's own boot log shows the IOMMU off → iommu FAIL;
 *  - efifb (TGL NUC11, TGL RVP) and BOOTFB (EHL CRB, WHL WL37) inside BAR2 in /proc/iomem →
 *    framebuffer FAIL; the ADL/CFL iomem has no claim → PASS;
 *  - DMAR: 3 faults within 4 ms (SKL GVT-d host) and 3 within 22 ms (TGL SOF CI)
 *    → WARN; 6 faults over 5 s with "893 callbacks suppressed" (guest
 *    reboot capture) → FAIL;
 *  - the EliteDesk ROM starts f9 a1 (the kernel's "got 0xa1f9") → rom FAIL;
 *  - no ROM captured → rom WARN; i915 debugfs OpRegion present (IdeaPad) → PASS.
 */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-host.h"
#include "igd-requirements.h"
#include "igd-test.h"

#define P IGD_SEVERITY_PASS
#define W IGD_SEVERITY_WARN
#define F IGD_SEVERITY_FAIL

/* `check`'s rows in the requirements table's order (igd-requirements.c), then the two mode verdicts. */
static const char *const check_order[] = {
    "igd-present", "generation", "iommu", "iommu-group", "iommu-width", "vfio-pci", "vfio-vga", "driver",
    "framebuffer", "kernel", "rom", "opregion", "dmar", "qemu", "legacy", "upt",
};

static IgdSysroot *
host_sysroot(const char *name)
{
    g_autofree char *rel = g_build_filename("data", "hosts", name, NULL);
    g_autofree char *path = igd_test_srcpath(rel);

    g_assert_true(g_file_test(path, G_FILE_TEST_IS_DIR));
    return igd_sysroot_new(path);
}

static GPtrArray *
run(const IgdSysroot *sysroot, const IgdQemuCaps *qemu)
{
    g_autoptr(GError) error = NULL;
    GPtrArray *checks = igd_requirements_check_host(sysroot, NULL, qemu, &error);

    g_assert_no_error(error);
    g_assert_nonnull(checks);
    return checks;
}

static void
assert_result(GPtrArray *checks, const char *id, IgdSeverity want)
{
    const IgdFinding *c = igd_findings_find(checks, id);

    if (c == NULL)
        g_error("no check '%s'", id);
    if (c->severity != want)
        g_error("check '%s': want %s, got %s (%s)", id, igd_severity_to_string(want),
                igd_severity_to_string(c->severity), c->message);
    /* every non-PASS names a fix, a PASS none */
    if (want == IGD_SEVERITY_PASS)
        g_assert_null(c->hint);
    else
        g_assert_true(c->hint && *c->hint);
    g_assert_true(c->message && *c->message && strchr(c->message, '\n') == NULL);
    g_assert_true(c->what && *c->what);
}

/* Every tree's rows come in the table's order, each with its what and one-line message. */
static void
test_check_order(void)
{
    g_autofree char *dir = igd_test_srcpath("data/hosts");
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *name;
    guint trees = 0;

    g_assert_nonnull(d);
    while ((name = g_dir_read_name(d)) != NULL) {
        g_autofree char *path = g_build_filename(dir, name, NULL);
        g_autoptr(IgdSysroot) sysroot = NULL;
        g_autoptr(GPtrArray) checks = NULL;

        if (!g_file_test(path, G_FILE_TEST_IS_DIR))
            continue;
        sysroot = igd_sysroot_new(path);
        checks = run(sysroot, NULL);
        g_assert_cmpuint(checks->len, ==, G_N_ELEMENTS(check_order));
        for (guint i = 0; i < checks->len; i++) {
            const IgdFinding *c = g_ptr_array_index(checks, i);
            g_assert_cmpstr(c->id, ==, check_order[i]);
            assert_result(checks, c->id, c->severity); /* hint iff not PASS, one-line message, a what */
        }
        assert_result(checks, "qemu", W); /* no QEMU given */
        trees++;
    }
    g_assert_cmpuint(trees, >=, 19);
}

/* ------------------------------------------------------------------ building blocks on real trees */

static void
test_framebuffer_claims_real(void)
{
    /* iomem/tgl-intel-nuc11tnbi5-efifb.txt: "4000000000-40001d4fff : efifb" under BAR2 4000000000-400fffffff;
     * iomem/ehl-intel-crb-bootfb.txt: "70000000-707e8fff : BOOTFB" under BAR2 70000000-7fffffff. */
    static const struct { const char *host, *claim; } cases[] = {
        { "tgl-nuc11-efifb", "efifb 4000000000-40001d4fff" },
        { "ehl-crb-bootfb", "BOOTFB 70000000-707e8fff" },
        /* iomem/whl-maxtang-wl37-bootfb.txt: "90000000-901d4fff : BOOTFB" under BAR2 90000000-9fffffff */
        { "whl-maxtang-wl37-bootfb", "BOOTFB 90000000-901d4fff" },
        /* iomem/tgl-intel-rvp-efifb-32bit-bar.txt: "80000000-81fa3fff : efifb" under BAR2 80000000-8fffffff */
        { "tgl-rvp-efifb-32bit", "efifb 80000000-81fa3fff" },
        { "adl-dsb1210", NULL },
        { "cfl-elitedesk-vfio", NULL },
        { "skl-lenovo-ideapad-320-14isk", NULL },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdSysroot) sysroot = host_sysroot(cases[i].host);
        g_autoptr(GError) error = NULL;
        IgdPciAddress a;
        g_autoptr(IgdPciDevice) dev = NULL;
        g_autoptr(GPtrArray) claims = NULL;

        g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, NULL));
        dev = igd_pci_device_new(sysroot, &a, &error);
        g_assert_no_error(error);
        claims = igd_host_framebuffer_claims(sysroot, dev, &error);
        g_assert_no_error(error);
        if (cases[i].claim) {
            g_assert_cmpuint(claims->len, ==, 1);
            g_assert_cmpstr(g_ptr_array_index(claims, 0), ==, cases[i].claim);
        } else {
            g_assert_cmpuint(claims->len, ==, 0);
        }
    }
}

static void
test_dmar_real(void)
{
    /* Counted by hand in the fixtures (lines "Request device [00:02.0]" / "[0x00:0x02.0]" / "[0000:00:02.0]"):
     *  skl-asus-b150m-i7-6700-dmar-fault.txt: 3, 557.627586 .. 557.631261 (3.7 ms) → burst;
     *  tgl-sof-test-dmar-fault-issue744.txt: 3 timestamped, 0.938401 .. 0.960486 (22 ms) → burst;
     *  igd-guest-reboot-dmar-fault-issue23.txt: 6, 144.480641 .. 149.530635 (5 s) and
     *  "dmar_fault: 893 callbacks suppressed" after the first → ongoing;
     *  skl-lenovo-ideapad boot excerpt: DMAR lines but no fault → 0. */
    static const struct { const char *host; guint n; gboolean ongoing; } cases[] = {
        { "skl-ideapad-gms-f1", 3, FALSE },
        { "tgl-nuc11-efifb", 3, FALSE },
        { "snb-gigabyte-h61m-ds2-dmar-ongoing", 6, TRUE },
        { "skl-lenovo-ideapad-320-14isk", 0, FALSE },
        { "cfl-elitedesk-vfio", 0, FALSE },
    };
    IgdPciAddress a;

    g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, NULL));
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(IgdSysroot) sysroot = host_sysroot(cases[i].host);
        g_autoptr(GError) error = NULL;
        gboolean ongoing = !cases[i].ongoing;
        guint n = igd_host_dmar_faults(sysroot, &a, &ongoing, &error);

        g_assert_no_error(error);
        g_assert_cmpuint(n, ==, cases[i].n);
        g_assert_cmpint(ongoing, ==, cases[i].ongoing);
    }
    /* another function of the same slot is not this device */
    {
        g_autoptr(IgdSysroot) sysroot = host_sysroot("snb-gigabyte-h61m-ds2-dmar-ongoing");
        IgdPciAddress b;
        g_assert_true(igd_pci_address_parse("0000:00:02.1", &b, NULL));
        g_assert_cmpuint(igd_host_dmar_faults(sysroot, &b, NULL, NULL), ==, 0);
    }
}

static void
test_small_readers(void)
{
    g_autoptr(IgdSysroot) cfl = host_sysroot("cfl-elitedesk-vfio");
    g_autoptr(IgdSysroot) skl = host_sysroot("skl-lenovo-ideapad-320-14isk");
    g_autoptr(IgdSysroot) vfio = host_sysroot("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autofree char *rel = igd_host_kernel_release(cfl, &error);
    gboolean dv = TRUE;
    guint maj = 0, min = 0;

    g_assert_no_error(error);
    g_assert_cmpstr(rel, ==, "6.8.12-11-pve"); /* the EliteDesk fixture's platform line */
    g_assert_true(igd_host_vfio_disable_vga(cfl, &dv, &error));
    g_assert_no_error(error);
    g_assert_false(dv);
    g_assert_false(igd_host_iommu_enabled(skl));
    g_assert_true(igd_host_iommu_enabled(vfio));

    g_assert_true(igd_host_parse_kernel_version("4.5.7-arch1", &maj, &min, NULL));
    g_assert_cmpuint(maj, ==, 4);
    g_assert_cmpuint(min, ==, 5);
    g_assert_true(igd_host_parse_kernel_version("6.15", &maj, &min, NULL));
    g_assert_cmpuint(min, ==, 15);
    for (const char *const *bad = (const char *const[]){ "", "abc", "6", "6.", ".1", "6.x", "99999.1", NULL }; *bad; bad++) {
        g_autoptr(GError) e = NULL;
        g_assert_false(igd_host_parse_kernel_version(*bad, &maj, &min, &e));
        g_assert_error(e, IGD_ERROR, IGD_ERROR_INVALID);
    }
    g_assert_cmpstr(igd_severity_to_string(IGD_SEVERITY_PASS), ==, "pass");
    g_assert_cmpstr(igd_severity_to_string(IGD_SEVERITY_NOTE), ==, "note");
    g_assert_cmpstr(igd_severity_to_string(IGD_SEVERITY_WARN), ==, "warn");
    g_assert_cmpstr(igd_severity_to_string(IGD_SEVERITY_FAIL), ==, "fail");
}

static void
test_qemu_check(void)
{
    g_autoptr(IgdSysroot) sysroot = host_sysroot("skl-ideapad-vfio");
    IgdQemuCaps caps = { 0 };
    const IgdFinding *c;

    caps.major = 7;
    caps.minor = 2;
    caps.micro = 19;
    caps.has_vfio_pci = TRUE;
    caps.x_igd_opregion = TRUE;
    caps.x_igd_gms = TRUE;
    {
        g_autoptr(GPtrArray) checks = run(sysroot, &caps);
        assert_result(checks, "qemu", P);
        c = igd_findings_find(checks, "qemu");
        g_assert_nonnull(strstr(c->message, "7.2.19"));
        g_assert_nonnull(strstr(c->message, "x-igd-opregion x-igd-gms"));
        g_assert_null(strstr(c->message, "x-igd-lpc"));
    }
    caps.has_vfio_pci = FALSE;
    {
        g_autoptr(GPtrArray) checks = run(sysroot, &caps);
        assert_result(checks, "qemu", F);
    }
}

/* ------------------------------------------------------------------ broken and edited host trees */

typedef struct {
    char *dir;
    IgdSysroot *sysroot;
} Tmp;

static Tmp *
tmp_copy(const char *host)
{
    Tmp *t = g_new0(Tmp, 1);
    g_autofree char *rel = g_build_filename("data", "hosts", host, NULL);
    g_autofree char *src = igd_test_srcpath(rel);

    t->dir = igd_test_mkdtemp();
    igd_test_copytree(src, t->dir);
    t->sysroot = igd_sysroot_new(t->dir);
    return t;
}

static void
tmp_free(Tmp *t)
{
    igd_sysroot_free(t->sysroot);
    igd_test_rmtree(t->dir);
    g_free(t->dir);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Tmp, tmp_free)

static void
tmp_write(Tmp *t, const char *rel, const char *data, gssize len)
{
    g_autofree char *path = g_build_filename(t->dir, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);
    g_autoptr(GError) error = NULL;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_file_set_contents(path, data, len, &error);
    g_assert_no_error(error);
}

static void
tmp_remove(Tmp *t, const char *rel)
{
    g_autofree char *path = g_build_filename(t->dir, rel, NULL);
    igd_test_rmtree(path);
}

static void
tmp_symlink(Tmp *t, const char *rel, const char *target)
{
    g_autofree char *path = g_build_filename(t->dir, rel, NULL);
    g_assert_cmpint(symlink(target, path), ==, 0);
}

static IgdPciDevice *
igd_of(Tmp *t)
{
    IgdPciAddress a;
    g_autoptr(GError) error = NULL;
    IgdPciDevice *dev;

    g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, NULL));
    dev = igd_pci_device_new(t->sysroot, &a, &error);
    g_assert_no_error(error);
    return dev;
}

static GPtrArray *
claims_of_len(Tmp *t, const char *iomem, gssize len, GError **error)
{
    g_autoptr(IgdPciDevice) dev = igd_of(t);
    tmp_write(t, "proc/iomem", iomem, len);
    return igd_host_framebuffer_claims(t->sysroot, dev, error);
}

static GPtrArray *
claims_of(Tmp *t, const char *iomem, GError **error)
{
    return claims_of_len(t, iomem, -1, error);
}

static void
test_iomem_broken(void)
{
    /* tgl-nuc11-efifb BARs: BAR0 603c000000-603cffffff, BAR2 4000000000-400fffffff */
    g_autoptr(Tmp) t = tmp_copy("tgl-nuc11-efifb");
    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) claims = NULL;

    g_string_append(s, "garbage\n\n : efifb\n-1 : efifb\nzz-yy : efifb\n");
    g_string_append(s, "4000000000- : efifb\n4000000000-400000ffff efifb\n");
    g_string_append(s, "400fffffff-4000000000 : efifb\n");          /* reversed */
    g_string_append(s, "10000000000000000-10000000000000001 : efifb\n"); /* 17 digits */
    g_string_append(s, "  4000000000-400000ffff : efifbX");         /* over-long line follows */
    for (int i = 0; i < 200000; i++)
        g_string_append_c(s, 'a');
    g_string_append(s, "\n");
    g_string_append(s, "4000000000-7fffffffff : PCI Bus 0000:00\n");
    g_string_append(s, "  603c000000-603cffffff : 0000:00:02.0\n");
    g_string_append(s, "    603c000000-603c000fff : vesafb\n");     /* nested under BAR0 */
    g_string_append(s, "  4000000000-400fffffff : 0000:00:02.0\n");
    g_string_append(s, "  4000800000-4000ffffff : simple-framebuffer.0\n"); /* under the PCI Bus line */
    g_string_append(s, "3fff000000-4000000fff : BOOTFB\n");          /* top level, straddles BAR2 start */
    g_string_append(s, "4010000000-4016ffffff : efifb\n");          /* outside every BAR */
    g_string_append(s, "603d000000-603d0fffff : 0000:00:1f.3\n");
    g_string_append_len(s, "\0tail : efifb", 13);                       /* NUL byte in the file */
    claims = claims_of_len(t, s->str, (gssize)s->len, &error);
    g_assert_no_error(error);
    g_assert_cmpuint(claims->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(claims, 0), ==, "vesafb 603c000000-603c000fff");
    g_assert_cmpstr(g_ptr_array_index(claims, 1), ==, "simple-framebuffer.0 4000800000-4000ffffff");
    g_assert_cmpstr(g_ptr_array_index(claims, 2), ==, "BOOTFB 3fff000000-4000000fff");
    g_clear_pointer(&claims, g_ptr_array_unref);

    /* the check names every claim and a fix for each kind */
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        const IgdFinding *c = igd_findings_find(checks, "framebuffer");
        assert_result(checks, "framebuffer", F);
        g_assert_nonnull(strstr(c->message, "vesafb 603c000000-603c000fff"));
        g_assert_nonnull(strstr(c->hint, "video=vesafb:off"));
        g_assert_nonnull(strstr(c->hint, "initcall_blacklist=sysfb_init"));
    }

    /* upper-case hex is the same range */
    claims = claims_of(t, "4000000000-7FFFFFFFFF : PCI Bus 0000:00\n  4000000000-40001D4FFF : efifb\n", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(claims->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(claims, 0), ==, "efifb 4000000000-40001d4fff");
    g_clear_pointer(&claims, g_ptr_array_unref);

    /* larger than any real /proc/iomem (8 MiB cap): an error naming the file, not a partial answer */
    {
        gsize big = 9u << 20;
        g_autofree char *junk = g_malloc(big);
        memset(junk, '\n', big);
        claims = claims_of_len(t, junk, (gssize)big, &error);
        g_assert_null(claims);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "iomem"));
        g_clear_error(&error);
    }

    /* empty file: nothing claimed */
    claims = claims_of(t, "", &error);
    g_assert_no_error(error);
    g_assert_cmpuint(claims->len, ==, 0);
    g_clear_pointer(&claims, g_ptr_array_unref);

    /* read without CAP_SYS_ADMIN: the kernel prints zeros */
    claims = claims_of(t, "00000000-00000000 : Reserved\n00000000-00000000 : efifb\n", &error);
    g_assert_null(claims);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_DENIED);
    g_clear_error(&error);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "framebuffer", W);
    }

    /* missing file */
    tmp_remove(t, "proc/iomem");
    {
        g_autoptr(IgdPciDevice) dev = igd_of(t);
        g_autoptr(GPtrArray) checks = NULL;
        claims = igd_host_framebuffer_claims(t->sysroot, dev, &error);
        g_assert_null(claims);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
        g_assert_nonnull(strstr(error->message, "iomem"));
        g_clear_error(&error);
        checks = run(t->sysroot, NULL);
        assert_result(checks, "framebuffer", W);
    }
}

static void
test_iomem_no_bars(void)
{
    g_autoptr(Tmp) t = tmp_copy("tgl-nuc11-efifb");
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) claims = NULL;

    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/resource", "garbage\n", -1);
    claims = claims_of(t, "4000000000-40001d4fff : efifb\n", &error);
    g_assert_null(claims);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
}

static guint
faults_in(Tmp *t, const char *log, gboolean *ongoing, GError **error)
{
    IgdPciAddress a;

    g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, NULL));
    tmp_write(t, "dev/kmsg", log, -1);
    return igd_host_dmar_faults(t->sysroot, &a, ongoing, error);
}

/*
 * One DMA fault report of 00:02.0 in each format drivers/iommu/intel/dmar.c
 * dmar_fault_do_one() has printed (pr_fmt "DMAR: "):
 *   ≤ 5.3:   "[%s] Request device [%02x:%02x.%d] fault addr %llx [fault reason %02d] %s\n"
 *   5.4-5.13: "[%s] Request device [%02x:%02x.%d] PASID %x fault addr %llx [fault reason %02d] %s\n"
 *   5.14:    "[%s NO_PASID] Request device [0x%02x:0x%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s\n"
 *            (719a19335692), and "[%s PASID 0x%x] Request device [0x%02x:0x%02x.%d] ..."
 *   5.15-rc3 .. v6.12: "[%s NO_PASID] Request device [%02x:%02x.%d] fault addr 0x%llx ..." (0b482d0c75bf,
 *            v6.1 dmar.c 1974, v6.12 1940)
 *   7.2+:    "[%s NO_PASID] Request device [%04x:%02x:%02x.%d] fault addr 0x%llx [fault reason 0x%02x] %s\n"
 *            (v7.3-rc7 1982-1995, iommu->segment), e.g. a 7.2.4 log: "DMAR: [DMA Write NO_PASID] Request
 *            device [0000:73:00.1] fault addr 0x0 [fault reason 0x05] PTE Write access is not set"
 * With a segment the PCI domain must match too.
 */
static void
test_dmar_formats(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
    static const struct { const char *line; gboolean ours; } lines[] = {
        { "DMAR: [DMA Read] Request device [00:02.0] fault addr 7e4bd000 [fault reason 06] PTE Read access is not set",
          TRUE },
        { "DMAR: [DMA Read] Request device [00:02.0] PASID ffffffff fault addr 7e4bd000 [fault reason 06] PTE Read "
          "access is not set", TRUE },
        { "DMAR: [DMA Read NO_PASID] Request device [0x00:0x02.0] fault addr 0x7e4bd000 [fault reason 0x06] PTE Read "
          "access is not set", TRUE },
        { "DMAR: [DMA Write PASID 0x1] Request device [0x00:0x02.0] fault addr 0x0 [fault reason 0x05] PTE Write "
          "access is not set", TRUE },
        { "DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7e4bd000 [fault reason 0x06] PTE Read "
          "access is not set", TRUE },
        { "DMAR: [DMA Write NO_PASID] Request device [0000:00:02.0] fault addr 0x0 [fault reason 0x05] PTE Write "
          "access is not set", TRUE },
        { "DMAR: [DMA Write PASID 0x2] Request device [0000:00:02.0] fault addr 0x0 [fault reason 0x05] PTE Write "
          "access is not set", TRUE },
        /* the 7.2.4 log line itself: another device */
        { "DMAR: [DMA Write NO_PASID] Request device [0000:73:00.1] fault addr 0x0 [fault reason 0x05] PTE Write "
          "access is not set", FALSE },
        /* 00:02.0 of another segment, a 3-digit segment, interrupt remapping (7.2+ form) */
        { "DMAR: [DMA Write NO_PASID] Request device [0001:00:02.0] fault addr 0x0 [fault reason 0x05] x", FALSE },
        { "DMAR: [DMA Write NO_PASID] Request device [000:00:02.0] fault addr 0x0 [fault reason 0x05] x", FALSE },
        { "DMAR: [INTR-REMAP] Request device [0000:00:02.0] fault index 0x20 [fault reason 0x25] x", FALSE },
    };
    g_autoptr(GString) log = g_string_new(NULL);
    g_autoptr(GError) error = NULL;
    gboolean ongoing = TRUE;
    guint want = 0;

    for (guint i = 0; i < G_N_ELEMENTS(lines); i++) {
        g_autoptr(GString) one = g_string_new(NULL);

        g_string_printf(one, "3,%u,%u,-;%s\n", i, 1000000 + i, lines[i].line);
        g_test_message("%s", lines[i].line);
        g_assert_cmpuint(faults_in(t, one->str, NULL, &error), ==, lines[i].ours ? 1 : 0);
        g_assert_no_error(error);
        g_string_append(log, one->str);
        want += lines[i].ours;
    }
    g_assert_cmpuint(faults_in(t, log->str, &ongoing, &error), ==, want);
    g_assert_false(ongoing);
}

static void
test_kmsg_broken(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) s = g_string_new(NULL);
    gboolean ongoing = TRUE;
    const char *fault = "DMAR: [DMA Read] Request device [00:02.0] PASID ffffffff fault addr 9c000000 "
                        "[fault reason 06] PTE Read access is not set";

    /* counted: 1 kmsg, 1 dmesg, 1 bare (no timestamp), 1 new format, 1 kmsg with extra fields;
     * not counted: other device, other function, truncated device, no "[DMA ", INTR-REMAP */
    g_string_append_printf(s, "3,1,1000000,-;%s\n", fault);
    g_string_append(s, " SUBSYSTEM=pci\n DEVICE=+pci:0000:00:02.0\n");  /* kmsg continuation lines */
    g_string_append_printf(s, "[    1.200000] %s\n", fault);
    g_string_append_printf(s, "%s\n", fault);
    g_string_append(s, "3,4,1300000,-;DMAR: [DMA Read NO_PASID] Request device [0x00:0x02.0] fault addr 0x1000 [fault reason 0x06] x\n");
    g_string_append_printf(s, "3,5,1400000,-,caller=T1;%s\n", fault);
    g_string_append(s, "3,6,1500000,-;DMAR: [DMA Read] Request device [00:1f.0] fault addr 0\n");
    g_string_append(s, "3,7,1500000,-;DMAR: [DMA Read] Request device [00:02.1] fault addr 0\n");
    g_string_append(s, "3,8,1500000,-;DMAR: [DMA Read] Request device [00:02\n");
    g_string_append(s, "3,9,1500000,-;DMAR: [DMA Read] Request device [000:02.0] fault addr 0\n");
    g_string_append(s, "3,10,1500000,-;DMAR: Request device [00:02.0] fault addr 0\n");
    g_string_append(s, "3,11,1500000,-;DMAR: [INTR-REMAP] Request device [00:02.0] fault index 0x20\n");
    g_string_append(s, "3,12\n3,;\n,,,;\n[\n[ 1.\n[ 1.5\n[abc] x\n");   /* truncated records */
    g_string_append(s, "99999999999999999999999,1,99999999999999999999999,-;x\n");
    g_string_append(s, "3,13,1600000,-;DMAR: [DMA Read] Request device [00:02.0] fault a");  /* cut, no newline */
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 6);
    g_assert_no_error(error);
    g_assert_false(ongoing); /* 1.0 s .. 1.6 s, 6 faults, no suppression */

    /* ongoing by time: two faults 2 s apart */
    g_string_printf(s, "3,1,1000000,-;%s\n3,2,3000000,-;%s\n", fault, fault);
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 2);
    g_assert_true(ongoing);
    /* 1.999999 s apart is still one burst */
    g_string_printf(s, "3,1,1000000,-;%s\n3,2,2999999,-;%s\n", fault, fault);
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 2);
    g_assert_false(ongoing);
    /* ongoing by count: 16 at one instant */
    g_string_truncate(s, 0);
    for (int i = 0; i < IGD_HOST_DMAR_ONGOING_COUNT; i++)
        g_string_append_printf(s, "[    5.000000] %s\n", fault);
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 16);
    g_assert_true(ongoing);
    /* rate limiting after a fault of the device */
    g_string_printf(s, "[ 5.000000] %s\n[ 5.000001] dmar_fault: 12 callbacks suppressed\n", fault);
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 1);
    g_assert_true(ongoing);
    /* ... but not before any fault of the device */
    g_string_printf(s, "[ 5.000000] dmar_fault: 12 callbacks suppressed\n[ 5.000001] %s\n", fault);
    g_assert_cmpuint(faults_in(t, s->str, &ongoing, &error), ==, 1);
    g_assert_false(ongoing);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "dmar", W);
    }
    /* binary junk */
    g_assert_cmpuint(faults_in(t, "\x01\x02\xff\xfe;;;,,,\n\n\n", &ongoing, &error), ==, 0);
    g_assert_no_error(error);

    /* missing log */
    tmp_remove(t, "dev/kmsg");
    g_assert_cmpuint(igd_host_dmar_faults(t->sysroot, &(IgdPciAddress){ 0, 0, 2, 0 }, &ongoing, &error), ==, 0);
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "dmar", W);
    }
}

static void
test_iommu_edits(void)
{
    /* no IOMMU at all */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        tmp_remove(t, "sys/kernel/iommu_groups");
        tmp_remove(t, "sys/class/iommu");
        tmp_remove(t, "sys/bus/pci/devices/0000:00:02.0/iommu_group");
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "iommu", F);
        assert_result(checks, "iommu-group", F);
        g_assert_nonnull(strstr(igd_findings_find(checks, "iommu")->hint, "intel_iommu=on"));
    }
    /* switched off on the command line */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-lenovo-ideapad-320-14isk");
        tmp_write(t, "proc/cmdline", "BOOT_IMAGE=/vmlinuz intel_iommu=off\n", -1);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "iommu", F);
        g_assert_nonnull(strstr(igd_findings_find(checks, "iommu")->message, "intel_iommu=off"));
    }
    /* the host bridge (header type 0) in the IGD's group: not assignable */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        tmp_symlink(t, "sys/kernel/iommu_groups/0/devices/0000:00:00.0", "../../../../bus/pci/devices/0000:00:00.0");
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "iommu-group", F);
        g_assert_nonnull(strstr(igd_findings_find(checks, "iommu-group")->message, "0000:00:00.0"));
    }
    /* a PCI bridge (header type 1) in the group is allowed (vfio's bridge exception) */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        g_autofree char *src = g_build_filename(t->dir, "sys/bus/pci/devices/0000:00:00.0", NULL);
        g_autofree char *dst = g_build_filename(t->dir, "sys/bus/pci/devices/0000:00:1c.0", NULL);
        g_autofree char *cfgpath = g_build_filename(dst, "config", NULL);
        g_autofree char *cfg = NULL;
        gsize n = 0;

        igd_test_copytree(src, dst);
        tmp_remove(t, "sys/bus/pci/devices/0000:00:1c.0/iommu_group");
        g_assert_true(g_file_get_contents(cfgpath, &cfg, &n, NULL));
        g_assert_cmpuint(n, ==, 256);
        cfg[0x0e] = 0x81; /* multi-function PCI-to-PCI bridge */
        cfg[0x0a] = 0x04; /* class 0x0604 */
        tmp_write(t, "sys/bus/pci/devices/0000:00:1c.0/config", cfg, (gssize)n);
        tmp_write(t, "sys/bus/pci/devices/0000:00:1c.0/class", "0x060400\n", -1);
        tmp_symlink(t, "sys/kernel/iommu_groups/0/devices/0000:00:1c.0", "../../../../bus/pci/devices/0000:00:1c.0");
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "iommu-group", P);
    }
}

/*
 * The IOMMU address width: the smallest MGAW (VT-d cap bits 21:16, plus 1:
 * Linux cap_mgaw()) over /sys/class/iommu/<unit>/intel-iommu/cap. The
 * skl-ideapad-vfio tree holds the IdeaPad's two real registers (its boot log,
 * tests/data/fixtures/README.md): 1c0000c40660462 and d2008c40660462, both
 * bits 21:16 = 0x26 → 39. The 48- and 46-bit registers below are DERIVED: the
 * dmar1 value with bits 21:16 set to 0x2f and 0x2d.
 */
#define CAP_MGAW48 "d2008c406f0462"
#define CAP_MGAW46 "d2008c406d0462"

static guint
width_of(Tmp *t, guint *units, GError **error)
{
    guint w = 0;

    if (!igd_host_iommu_address_width(t->sysroot, &w, units, error))
        return 0;
    return w;
}

static void
tmp_fifo(Tmp *t, const char *rel)
{
    g_autofree char *path = g_build_filename(t->dir, rel, NULL);

    tmp_remove(t, rel);
    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
}

static void
test_iommu_width(void)
{
    const char *cap0 = "sys/class/iommu/dmar0/intel-iommu/cap";
    const char *cap1 = "sys/class/iommu/dmar1/intel-iommu/cap";
    guint units = 0;

    g_assert_cmpuint(IGD_HOST_CAP_MGAW(G_GUINT64_CONSTANT(0x1c0000c40660462)), ==, 39);
    g_assert_cmpuint(IGD_HOST_CAP_MGAW(G_GUINT64_CONSTANT(0xd2008c406f0462)), ==, 48);
    /* the real registers */
    {
        g_autoptr(IgdSysroot) vfio = host_sysroot("skl-ideapad-vfio");
        g_autoptr(GError) error = NULL;
        guint w = 0;

        g_assert_true(igd_host_iommu_address_width(vfio, &w, &units, &error));
        g_assert_no_error(error);
        g_assert_cmpuint(w, ==, 39);
        g_assert_cmpuint(units, ==, 2);
    }
    /* the IdeaPad as captured: DMA remapping off, no unit */
    {
        g_autoptr(IgdSysroot) skl = host_sysroot("skl-lenovo-ideapad-320-14isk");
        g_autoptr(GError) error = NULL;
        guint w = 7;

        g_assert_false(igd_host_iommu_address_width(skl, &w, NULL, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
        g_assert_cmpuint(w, ==, 7); /* untouched */
    }
    /* the smallest unit wins, whichever order */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        g_autoptr(GError) error = NULL;

        tmp_write(t, cap0, CAP_MGAW48 "\n", -1);
        tmp_write(t, cap1, CAP_MGAW46 "\n", -1);
        g_assert_cmpuint(width_of(t, &units, &error), ==, 46);
        g_assert_cmpuint(units, ==, 2);
        tmp_write(t, cap0, CAP_MGAW46 "\n", -1);
        tmp_write(t, cap1, CAP_MGAW48 "\n", -1);
        g_assert_cmpuint(width_of(t, &units, &error), ==, 46);
        /* no newline is still the register */
        tmp_write(t, cap1, "1c0000c40660462", -1);
        g_assert_cmpuint(width_of(t, &units, &error), ==, 39);
        g_assert_no_error(error);
        /* units of another IOMMU (no intel-iommu/cap) are not VT-d: skipped */
        tmp_write(t, "sys/class/iommu/ivhd0/amd-iommu/cap", "0\n", -1);
        tmp_remove(t, "sys/class/iommu/dmar1");
        g_assert_cmpuint(width_of(t, &units, &error), ==, 46);
        g_assert_cmpuint(units, ==, 1);
        tmp_remove(t, "sys/class/iommu/dmar0");
        g_assert_cmpuint(width_of(t, &units, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
        g_clear_error(&error);
        tmp_remove(t, "sys/class/iommu");
        g_assert_cmpuint(width_of(t, &units, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
    /* broken registers: anything but "%llx\n" is refused, never guessed */
    {
        static const char *const garbage[] = {
            "", "\n", "0x1c0000c40660462\n", "1C0000C40660462\n", " 1c0000c40660462\n", "1c0000c40660462 \n",
            "1c0000c40660462\n\n", "-1\n", "hello\n", "001c0000c40660462\n" /* 17 digits */,
        };
        static const char with_nul[] = { '1', 'c', '0', '0', '\0', '0', 'c', '4', '\n' };
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");

        for (gsize i = 0; i <= G_N_ELEMENTS(garbage); i++) {
            g_autoptr(GError) error = NULL;

            if (i < G_N_ELEMENTS(garbage))
                tmp_write(t, cap1, garbage[i], -1);
            else
                tmp_write(t, cap1, with_nul, sizeof(with_nul));
            g_test_message("garbage %" G_GSIZE_FORMAT, i);
            g_assert_cmpuint(width_of(t, NULL, &error), ==, 0);
            g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
            g_assert_nonnull(strstr(error->message, "dmar1/intel-iommu/cap"));
        }
    }
    /* oversized: longer than a register can print */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        g_autoptr(GError) error = NULL;
        g_autofree char *big = g_strnfill(10 << 20, 'a');

        tmp_write(t, cap0, big, IGD_HOST_IOMMU_CAP_MAX + 1);
        g_assert_cmpuint(width_of(t, NULL, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "larger than 64 bytes"));
        g_clear_error(&error);
        tmp_write(t, cap0, big, -1); /* 10 MiB: read no further than the limit */
        g_assert_cmpuint(width_of(t, NULL, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    /* a FIFO or a directory in place of the register: refused at once, no read blocks */
    {
        g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
        g_autoptr(GError) error = NULL;

        tmp_fifo(t, cap0);
        g_assert_cmpuint(width_of(t, NULL, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
        g_assert_nonnull(strstr(error->message, "not a regular file"));
        g_clear_error(&error);
        tmp_remove(t, cap0);
        tmp_write(t, "sys/class/iommu/dmar0/intel-iommu/cap/x", "", -1);
        g_assert_cmpuint(width_of(t, NULL, &error), ==, 0);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    /* `check` says it: PASS with the width, WARN (with where to read it) when unknown */
    {
        g_autoptr(IgdSysroot) vfio = host_sysroot("skl-ideapad-vfio");
        g_autoptr(IgdSysroot) skl = host_sysroot("skl-lenovo-ideapad-320-14isk");
        g_autoptr(GPtrArray) on = run(vfio, NULL);
        g_autoptr(GPtrArray) off = run(skl, NULL);

        assert_result(on, "iommu-width", P);
        g_assert_nonnull(strstr(igd_findings_find(on, "iommu-width")->message, "39 bits (the smallest of 2 VT-d units)"));
        assert_result(off, "iommu-width", W);
        g_assert_nonnull(strstr(igd_findings_find(off, "iommu-width")->hint, "intel-iommu/cap"));
    }
    /* the snapshot keeps it (HOST part) */
    {
        g_autoptr(IgdSysroot) vfio = host_sysroot("skl-ideapad-vfio");
        g_autoptr(GError) error = NULL;
        g_autoptr(IgdSnapshot) s = igd_snapshot_gather(vfio, NULL, IGD_SNAPSHOT_HOST, &error);
        g_autoptr(IgdSnapshot) dev_only = igd_snapshot_gather(vfio, NULL, 0, &error);

        g_assert_no_error(error);
        g_assert_cmpuint(s->iommu_width, ==, 39);
        g_assert_cmpuint(s->iommu_units, ==, 2);
        g_assert_null(s->iommu_width_error);
        g_assert_cmpuint(dev_only->iommu_width, ==, 0); /* not gathered */
        /* no /proc/cpuinfo in the captured trees */
        g_assert_cmpuint(s->cpu_phys_bits, ==, 0);
        g_assert_error(s->cpu_phys_bits_error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
}

/*
 * The requirement for a domain (legacy and UPT scopes): an OVMF guest whose
 * CPU may get more physical address bits than the IOMMU's 39 is a WARN naming
 * the fix; SeaBIOS guests are not judged (it keeps BARs below 4 GiB).
 */
static void
test_iommu_width_guest(void)
{
    g_autoptr(IgdSysroot) vfio = host_sysroot("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    g_autoptr(IgdSnapshot) s = igd_snapshot_gather(vfio, NULL, IGD_SNAPSHOT_HOST, &error);
    const struct {
        gboolean ovmf;
        gint phys_bits;
        gboolean cpu_host;
        IgdSeverity want; /* NOTE: no finding */
        const char *hint;
    } cases[] = {
        { FALSE, 46, FALSE, IGD_SEVERITY_NOTE, NULL },
        { TRUE, 40, FALSE, W, "<maxphysaddr mode='emulate' bits='39'/>" },   /* QEMU's default phys-bits */
        { TRUE, -1, TRUE, W, "-global max-x86_64-cpu.host-phys-bits-limit=39" }, /* host CPU, bits unknown */
        { TRUE, 46, TRUE, W, "host-phys-bits-limit=39" },
        { TRUE, 39, FALSE, P, NULL },
        { TRUE, 36, TRUE, P, NULL },
    };

    g_assert_no_error(error);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (IgdScope scope = IGD_SCOPE_LEGACY; scope <= IGD_SCOPE_UPT; scope++) {
            IgdGuest g;
            g_autoptr(GPtrArray) f = NULL;
            const IgdFinding *w;

            igd_guest_init(&g);
            g.ovmf = cases[i].ovmf;
            g.phys_bits = cases[i].phys_bits;
            g.cpu_host = cases[i].cpu_host;
            f = igd_requirements_evaluate(s, scope, &g);
            w = igd_findings_find(f, "iommu-width");
            g_test_message("case %" G_GSIZE_FORMAT ": %s", i, w ? w->message : "none");
            if (cases[i].want == IGD_SEVERITY_NOTE) {
                g_assert_null(w);
                continue;
            }
            g_assert_nonnull(w);
            g_assert_cmpint(w->severity, ==, cases[i].want);
            if (cases[i].hint)
                g_assert_nonnull(strstr(w->hint, cases[i].hint));
            if (cases[i].want == W)
                g_assert_nonnull(strstr(w->message, "more than the IOMMU's 39"));
        }
    }
}

/*
 * /proc/cpuinfo "address sizes\t: N bits physical, M bits virtual"
 * (arch/x86/kernel/cpu/proc.c). No cpuinfo was captured: the lines below are
 * written in that format, the values DERIVED.
 */
static void
test_cpu_phys_bits(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
    static const char *const bad[] = {
        "address sizes\t: abc bits physical, 48 bits virtual\n",
        "address sizes\t: 31 bits physical, 48 bits virtual\n",
        "address sizes\t: 65 bits physical, 48 bits virtual\n",
        "address sizes\t: 39 bits\n",
        "address sizes\t: 39\n",
        "address sizes\t: 1234 bits physical, 48 bits virtual\n",
    };
    guint bits = 0;

    tmp_write(t, "proc/cpuinfo",
              "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: x\naddress sizes\t: 39 bits physical, "
              "48 bits virtual\npower management:\n\nprocessor\t: 1\naddress sizes\t: 46 bits physical, 48 bits virtual\n",
              -1);
    g_assert_true(igd_host_cpu_phys_bits(t->sysroot, &bits, NULL));
    g_assert_cmpuint(bits, ==, 39); /* the first CPU's */
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autoptr(GError) error = NULL;
        tmp_write(t, "proc/cpuinfo", bad[i], -1);
        g_assert_false(igd_host_cpu_phys_bits(t->sysroot, &bits, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    {
        g_autoptr(GError) error = NULL;
        tmp_write(t, "proc/cpuinfo", "processor\t: 0\naddress size\t: 39 bits physical\n", -1);
        g_assert_false(igd_host_cpu_phys_bits(t->sysroot, &bits, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
    {
        g_autoptr(GError) error = NULL;
        tmp_fifo(t, "proc/cpuinfo");
        g_assert_false(igd_host_cpu_phys_bits(t->sysroot, &bits, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    }
    {
        g_autoptr(GError) error = NULL;
        tmp_remove(t, "proc/cpuinfo");
        g_assert_false(igd_host_cpu_phys_bits(t->sysroot, &bits, &error));
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
}

static void
test_vfio_edits(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
    gboolean dv = FALSE;
    g_autoptr(GError) error = NULL;

    tmp_write(t, "sys/module/vfio_pci/parameters/disable_vga", "Y\n", -1);
    g_assert_true(igd_host_vfio_disable_vga(t->sysroot, &dv, &error));
    g_assert_true(dv);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "vfio-vga", W);
        g_assert_nonnull(strstr(igd_findings_find(checks, "vfio-vga")->hint, "disable_vga=0"));
    }
    tmp_write(t, "sys/module/vfio_pci/parameters/disable_vga", "maybe\n", -1);
    g_assert_false(igd_host_vfio_disable_vga(t->sysroot, &dv, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_INVALID);
    g_clear_error(&error);

    tmp_remove(t, "sys/module/vfio_pci");
    tmp_remove(t, "sys/bus/pci/drivers/vfio-pci");
    g_assert_false(igd_host_vfio_disable_vga(t->sysroot, &dv, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "vfio-pci", F);
        assert_result(checks, "vfio-vga", W);
    }
}

static void
test_kernel_edits(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");

    tmp_write(t, "proc/sys/kernel/osrelease", "4.4.0-210-generic\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", F);
    }
    tmp_write(t, "proc/sys/kernel/osrelease", "4.6.0\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", P);
    }
    /* an IGD that is not the primary VGA (GGC IVD set) is class 0x038000: vfio gives it the IGD regions from 6.15 */
    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/class", "0x038000\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", F);
        g_assert_nonnull(strstr(igd_findings_find(checks, "kernel")->message, "0x038000"));
    }
    tmp_write(t, "proc/sys/kernel/osrelease", "6.15.0\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", P);
    }
    tmp_write(t, "proc/sys/kernel/osrelease", "\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", W);
    }
    tmp_remove(t, "proc/sys/kernel/osrelease");
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "kernel", W);
    }
}

static void
test_driver_edits(void)
{
    g_autoptr(Tmp) t = tmp_copy("tgl-nuc11-efifb"); /* unbound */

    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/driver_override", "vfio-pci\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "driver", W);
        g_assert_nonnull(strstr(igd_findings_find(checks, "driver")->message, "driver_override vfio-pci"));
    }
    tmp_symlink(t, "sys/bus/pci/devices/0000:00:02.0/driver", "../../../../bus/pci/drivers/pci-stub");
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "driver", F);
    }
    /* i915 bound: the hint names the fix */
    {
        g_autoptr(IgdSysroot) s = host_sysroot("adl-dsb1210");
        g_autoptr(GPtrArray) checks = run(s, NULL);
        const IgdFinding *c = igd_findings_find(checks, "driver");
        g_assert_nonnull(strstr(c->message, "i915"));
        g_assert_nonnull(strstr(c->hint, "virsh nodedev-detach pci_0000_00_02_0"));
        g_assert_nonnull(strstr(c->hint, "managed='no'"));
    }
}

/* @text with every @from replaced by @to. */
static char *
replace_all(const char *text, const char *from, const char *to)
{
    g_auto(GStrv) parts = g_strsplit(text, from, -1);

    return g_strjoinv(to, parts);
}

/* @a (about the i915-bound tree) and @b (the xe-bound one) say the same with the driver named. */
static void
assert_same_but_driver(const IgdFinding *a, const IgdFinding *b)
{
    g_autofree char *msg = replace_all(a->message, "i915", "xe");
    g_autofree char *hint = a->hint ? replace_all(a->hint, "i915", "xe") : NULL;

    g_assert_cmpint(a->severity, ==, b->severity);
    g_assert_cmpstr(msg, ==, b->message);
    g_assert_cmpstr(hint, ==, b->hint);
}

/*
 * xe is the host graphics driver to detach exactly as i915 is: the DERIVED
 * Lunar Lake tree bound to xe (tests/data/hosts/lnl-derived-xe; xe_pci.c
 * v7.3-rc7 line 531 INTEL_LNL_IDS(INTEL_VGA_DEVICE, &lnl_desc), i915 has no
 * LNL entry) against the DERIVED Meteor Lake tree bound to i915: the same
 * severities, messages and hints but for the driver's name, in `check` and
 * at the domain's start (the hook).
 */
static void
test_driver_xe(void)
{
    g_autoptr(IgdSysroot) i915 = host_sysroot("mtl-derived");
    g_autoptr(IgdSysroot) xe = host_sysroot("lnl-derived-xe");
    g_autoptr(GPtrArray) ci = run(i915, NULL);
    g_autoptr(GPtrArray) cx = run(xe, NULL);
    IgdPciAddress a = { 0, 0, 2, 0 };
    g_autofree char *op_hint = NULL;

    assert_result(cx, "driver", F);
    g_assert_cmpstr(igd_findings_find(cx, "driver")->message, ==,
                    "0000:00:02.0 is bound to xe, the host graphics driver");
    assert_same_but_driver(igd_findings_find(ci, "driver"), igd_findings_find(cx, "driver"));
    /* the OpRegion through debugfs: xe builds i915's display code, file names included (i915_opregion) */
    op_hint = replace_all(igd_findings_find(ci, "opregion")->hint, "i915", "xe");
    g_assert_cmpstr(op_hint, ==, igd_findings_find(cx, "opregion")->hint);
    g_assert_nonnull(strstr(op_hint, "mount debugfs with xe bound"));
    {
        g_autoptr(IgdSnapshot) si = igd_snapshot_gather(i915, &a, igd_requirements_parts(IGD_SCOPE_START), NULL);
        g_autoptr(IgdSnapshot) sx = igd_snapshot_gather(xe, &a, igd_requirements_parts(IGD_SCOPE_START), NULL);
        g_autoptr(GPtrArray) starti = NULL, startx = NULL;

        g_assert_nonnull(si);
        g_assert_nonnull(sx);
        igd_snapshot_set_qemu(si, NULL, FALSE);
        igd_snapshot_set_qemu(sx, NULL, FALSE);
        starti = igd_requirements_evaluate(si, IGD_SCOPE_START, NULL);
        startx = igd_requirements_evaluate(sx, IGD_SCOPE_START, NULL);
        g_assert_cmpstr(igd_findings_find(startx, "driver")->message, ==,
                        "host device 0000:00:02.0 is bound to xe, not vfio-pci");
        assert_same_but_driver(igd_findings_find(starti, "driver"), igd_findings_find(startx, "driver"));
    }
}

/* The "firmware" finding of @scope for the IGD of tree @host with @qemu (X.Y, 0.0: none) and @ovmf. */
static IgdFinding *
firmware_finding(const char *host, IgdScope scope, guint major, guint minor, gboolean ovmf)
{
    g_autoptr(IgdSysroot) sysroot = host_sysroot(host);
    g_autoptr(IgdSnapshot) s = igd_snapshot_gather(sysroot, NULL, 0, NULL);
    g_autoptr(GPtrArray) findings = NULL;
    const IgdFinding *f;
    IgdGuest guest;

    g_assert_nonnull(s);
    igd_snapshot_set_qemu(s, major ? igd_qemu_caps_new_for_version(major, minor, 0) : NULL, TRUE);
    igd_guest_init(&guest);
    guest.ovmf = ovmf;
    findings = igd_requirements_evaluate(s, scope, &guest);
    f = igd_findings_find(findings, "firmware");
    return f ? igd_finding_new(f->id, f->severity, f->what, f->message, f->hint) : NULL;
}

/*
 * What the guest firmware does with BDSM:
 *  - SeaBIOS writes it at 0x5C only (src/fw/pciinit.c rel-1.16.2 line 325
 *    "pci_config_writel(dev->bdf, 0x5C, cpu_to_le32((u32)addr));"; QEMU
 *    docs/igd-assign.txt v10.2.0: "Upstream Seabios has OpRegion and BDSM
 *    (pre-Gen11 device only) support"): legacy mode on a gen 11+ IGD
 *    (BDSM at 0xC0) fails under SeaBIOS, not under OVMF, not in UPT;
 *  - OVMF: only VfioIgdPkg's IgdAssignmentDxe writes 0xC0 ("EfiPciIoWidthUint64,
 *    ASSIGNED_IGD_PCI_BDSM64_OFFSET" for IGD_FLAG_BDSM_64BIT, IgdAssignment.c
 *    067328d lines 413-417), and only the original refuses the etc/igd-bdsm-size
 *    0 that QEMU 10.1+ writes for a device it does not know ("if (gen > 0)",
 *    hw/vfio/igd.c v10.2.0 line 638; c64d051f lines 545-548 "BdsmSize == 0"):
 *    WARNs naming VfioIgdPkg.
 */
static void
test_firmware_requirement(void)
{
    g_autoptr(IgdFinding) tgl_seabios = firmware_finding("tgl-nuc11-efifb", IGD_SCOPE_LEGACY, 0, 0, FALSE);
    g_autoptr(IgdFinding) tgl_ovmf = firmware_finding("tgl-nuc11-efifb", IGD_SCOPE_LEGACY, 0, 0, TRUE);
    g_autoptr(IgdFinding) tgl_upt = firmware_finding("tgl-nuc11-efifb", IGD_SCOPE_UPT, 0, 0, FALSE);
    g_autoptr(IgdFinding) ehl = firmware_finding("ehl-crb-bootfb", IGD_SCOPE_LEGACY, 10, 0, FALSE);
    g_autoptr(IgdFinding) skl_seabios = firmware_finding("skl-ideapad-vfio", IGD_SCOPE_LEGACY, 10, 2, FALSE);
    g_autoptr(IgdFinding) skl_ovmf = firmware_finding("skl-ideapad-vfio", IGD_SCOPE_LEGACY, 10, 2, TRUE);
    g_autoptr(IgdFinding) mtl_ovmf = firmware_finding("mtl-derived", IGD_SCOPE_UPT, 10, 1, TRUE);
    g_autoptr(IgdFinding) mtl_ovmf72 = firmware_finding("mtl-derived", IGD_SCOPE_UPT, 7, 2, TRUE);
    g_autoptr(IgdFinding) mtl_seabios = firmware_finding("mtl-derived", IGD_SCOPE_UPT, 10, 1, FALSE);

    g_assert_nonnull(tgl_seabios);
    g_assert_cmpint(tgl_seabios->severity, ==, F);
    g_assert_cmpstr(tgl_seabios->message, ==, "SeaBIOS writes the stolen memory base only to BDSM at 0x5C (pre-gen "
                    "11); Tiger Lake (gen 12) reads it at 0xC0, which stays unset in the guest");
    g_assert_nonnull(strstr(tgl_seabios->hint, "VfioIgdPkg"));
    g_assert_nonnull(ehl);
    g_assert_cmpint(ehl->severity, ==, F);
    g_assert_nonnull(tgl_ovmf);
    g_assert_cmpint(tgl_ovmf->severity, ==, W);
    g_assert_nonnull(strstr(tgl_ovmf->message, "VfioIgdPkg's IgdAssignmentDxe writes it there, the original writes "
                            "0x5C only"));
    g_assert_null(tgl_upt);
    g_assert_null(skl_seabios);
    g_assert_null(skl_ovmf);
    g_assert_nonnull(mtl_ovmf);
    g_assert_cmpint(mtl_ovmf->severity, ==, W);
    g_assert_cmpstr(mtl_ovmf->message, ==, "QEMU 10.1 writes etc/igd-bdsm-size 0 for Meteor Lake: the original "
                    "IgdAssignmentDxe refuses it and sets up nothing, not even the OpRegion; VfioIgdPkg's (7802f4a on) "
                    "does not read it");
    g_assert_null(mtl_ovmf72); /* 7.2 writes the GTT size it thinks of */
    g_assert_null(mtl_seabios);
}

/*
 * Legacy mode without a ROM quotes what the installed QEMU prints (no tree
 * has a ROM): 7.2 "IGD device %s has no ROM, legacy mode disabled"
 * (hw/vfio/igd.c v7.2.0 line 426), 10.x "Device has no ROM" (v10.2.0 574)
 * then "IGD legacy mode disabled" (677).
 */
static void
test_rom_message_per_qemu(void)
{
    static const struct { guint major, minor; const char *quote; } qemus[] = {
        { 7, 2, "QEMU 7.2: \"IGD device 0000:00:02.0 has no ROM, legacy mode disabled\")" },
        { 10, 2, "QEMU 10.2: \"Device has no ROM\", then \"IGD legacy mode disabled\")" },
    };
    g_autoptr(IgdSysroot) sysroot = host_sysroot("skl-ideapad-vfio");

    for (guint i = 0; i < G_N_ELEMENTS(qemus); i++) {
        g_autoptr(IgdSnapshot) s = igd_snapshot_gather(sysroot, NULL, IGD_SNAPSHOT_ROM, NULL);
        g_autoptr(GPtrArray) legacy = NULL;
        const IgdFinding *rom;

        g_assert_nonnull(s);
        igd_snapshot_set_qemu(s, igd_qemu_caps_new_for_version(qemus[i].major, qemus[i].minor, 0), TRUE);
        legacy = igd_requirements_evaluate(s, IGD_SCOPE_LEGACY, NULL);
        rom = igd_findings_find(legacy, "rom");
        g_assert_nonnull(rom);
        g_assert_cmpint(rom->severity, ==, F);
        if (!g_str_has_suffix(rom->message, qemus[i].quote))
            g_error("'%s' does not end with '%s'", rom->message, qemus[i].quote);
    }
}

/*
 * A minimal one-image option ROM (PCI Firmware Spec 3.0 layout, not hardware
 * data): 512 bytes, 0x55AA, PCIR at 0x1c for 8086:@device, class 0x030000,
 * code type @code (0 x86, 3 EFI with the 0x0EF1 header and subsystem 11),
 * last-image flag, byte sum 0.
 */
static void
make_rom(guint8 rom[512], guint16 vendor, guint16 device, guint8 code)
{
    guint8 sum = 0;

    memset(rom, 0, 512);
    rom[0] = 0x55;
    rom[1] = 0xaa;
    rom[2] = 1;                    /* x86 init size, 512-byte units */
    if (code == 3) {
        rom[4] = 0xf1;             /* EFI signature 0x0EF1 */
        rom[5] = 0x0e;
        rom[8] = 11;               /* boot-service driver */
        rom[10] = 0x64;            /* machine 0x8664 */
        rom[11] = 0x86;
    }
    rom[0x18] = 0x1c;              /* PCIR pointer */
    memcpy(rom + 0x1c, "PCIR", 4);
    rom[0x1c + 4] = vendor & 0xff;
    rom[0x1c + 5] = vendor >> 8;
    rom[0x1c + 6] = device & 0xff;
    rom[0x1c + 7] = device >> 8;
    rom[0x1c + 0x0a] = 0x18;       /* structure length */
    rom[0x1c + 0x0f] = 0x03;       /* base class display */
    rom[0x1c + 0x10] = 1;          /* image length, 512-byte units */
    rom[0x1c + 0x14] = code;
    rom[0x1c + 0x15] = 0x80;       /* last image */
    for (int i = 0; i < 511; i++)
        sum += rom[i];
    rom[511] = (guint8)(0x100 - sum);
}

static void
test_rom_opregion_edits(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-lenovo-ideapad-320-14isk");

    /* an empty rom file is no ROM */
    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/rom", "", 0);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "rom", W);
    }
    /* a valid legacy VGA BIOS image for this device */
    {
        guint8 rom[512];
        make_rom(rom, 0x8086, 0x1916, 0);
        tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/rom", (const char *)rom, sizeof rom);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "rom", P);
        g_assert_nonnull(strstr(igd_findings_find(checks, "rom")->message, "x86 8086:1916"));
    }
    /* EFI GOP only: no legacy mode */
    {
        guint8 rom[512];
        make_rom(rom, 0x8086, 0x1916, 3);
        tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/rom", (const char *)rom, sizeof rom);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "rom", W);
        g_assert_nonnull(strstr(igd_findings_find(checks, "rom")->message, "efi 8086:1916"));
    }
    /* a ROM of another vendor */
    {
        guint8 rom[512];
        make_rom(rom, 0x10de, 0x1916, 0);
        tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/rom", (const char *)rom, sizeof rom);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "rom", W);
    }
    /* a ROM of junk */
    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/rom", "\x55\xaa\x40\x00", 4);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "rom", F);
    }
    /* an OpRegion with a broken signature */
    {
        g_autofree char *junk = g_malloc0(8192);
        memcpy(junk, "IntelGraphicsMex", 16);
        tmp_write(t, "sys/kernel/debug/dri/0000:00:02.0/i915_opregion", junk, 8192);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "opregion", F);
    }
    /* a truncated OpRegion */
    tmp_write(t, "sys/kernel/debug/dri/0000:00:02.0/i915_opregion", "IntelGraphicsMem", 16);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "opregion", F);
    }
    /* ASLS 0: the firmware gave no OpRegion */
    {
        g_autofree char *path = g_build_filename(t->dir, "sys/bus/pci/devices/0000:00:02.0/config", NULL);
        g_autofree char *cfg = NULL;
        gsize n = 0;
        g_assert_true(g_file_get_contents(path, &cfg, &n, NULL));
        g_assert_cmpuint(n, ==, 4096);
        memset(cfg + 0xfc, 0, 4);
        tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/config", cfg, (gssize)n);
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "opregion", F);
    }
}

static void
test_not_igd(void)
{
    g_autoptr(Tmp) t = tmp_copy("skl-ideapad-vfio");
    g_autoptr(GError) error = NULL;
    IgdPciAddress a;

    /* nothing at 00:03.0 */
    g_assert_true(igd_pci_address_parse("0000:00:03.0", &a, NULL));
    {
        g_autoptr(GPtrArray) checks = igd_requirements_check_host(t->sysroot, &a, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(checks->len, ==, 1);
        assert_result(checks, "igd-present", F);
        g_assert_cmpint(igd_findings_worst(checks), ==, IGD_SEVERITY_FAIL);
    }
    /* the host bridge is not a display device */
    g_assert_true(igd_pci_address_parse("0000:00:00.0", &a, NULL));
    {
        g_autoptr(GPtrArray) checks = igd_requirements_check_host(t->sysroot, &a, NULL, &error);
        g_assert_no_error(error);
        g_assert_cmpuint(checks->len, ==, 1);
        assert_result(checks, "igd-present", F);
        g_assert_nonnull(strstr(igd_findings_find(checks, "igd-present")->message, "0x060000"));
    }
    /* an Intel display device the table does not know */
    tmp_write(t, "sys/bus/pci/devices/0000:00:02.0/device", "0xffff\n", -1);
    {
        g_autoptr(GPtrArray) checks = run(t->sysroot, NULL);
        assert_result(checks, "generation", F);
    }
    /* no /sys/bus/pci/devices at all: an environment error */
    tmp_remove(t, "sys/bus/pci/devices");
    {
        g_autoptr(GPtrArray) checks = igd_requirements_check_host(t->sysroot, NULL, NULL, &error);
        g_assert_null(checks);
        g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    }
}

/*
 * The i915 debugfs OpRegion on kernels that name the DRM directory by minor
 * number: /sys/kernel/debug/dri/<N>/name says "i915 dev=<pci name> ...".
 * Only all-digit entries of at most 6 digits are ever turned into a path;
 * entries with other names are skipped even when their "name" matches, and
 * a minor of another device is not taken.
 */
static void
test_debugfs_minors(void)
{
    g_autoptr(Tmp) t = g_new0(Tmp, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autofree char *source = NULL;
    IgdPciAddress a;
    static const char *const hostile[] = { "x", "0x1", "1234567", "-1", "1 ", "card0" };

    t->dir = igd_test_mkdtemp();
    t->sysroot = igd_sysroot_new(t->dir);
    g_assert_true(igd_pci_address_parse("0000:00:02.0", &a, NULL));
    for (guint i = 0; i < G_N_ELEMENTS(hostile); i++) {
        g_autofree char *name = g_strdup_printf("sys/kernel/debug/dri/%s/name", hostile[i]);
        g_autofree char *op = g_strdup_printf("sys/kernel/debug/dri/%s/i915_opregion", hostile[i]);
        tmp_write(t, name, "i915 dev=0000:00:02.0 unique=0000:00:02.0\n", -1);
        tmp_write(t, op, "HOSTILE", -1);
    }
    tmp_write(t, "sys/kernel/debug/dri/0/name", "i915 dev=0000:00:03.0 unique=0000:00:03.0\n", -1);
    tmp_write(t, "sys/kernel/debug/dri/0/i915_opregion", "OTHER", -1);
    tmp_write(t, "sys/kernel/debug/dri/64/i915_opregion", "NO-NAME", -1);

    g_assert_null(igd_host_read_opregion(t->sysroot, &a, NULL, &source, &error));
    g_assert_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(error->message, "no i915_opregion for 0000:00:02.0"));
    g_assert_null(source);
    g_clear_error(&error);

    tmp_write(t, "sys/kernel/debug/dri/128/name", "i915 dev=0000:00:02.0 unique=0000:00:02.0\n", -1);
    tmp_write(t, "sys/kernel/debug/dri/128/i915_opregion", "RIGHT", -1);
    bytes = igd_host_read_opregion(t->sysroot, &a, NULL, &source, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "RIGHT", 5);
    g_assert_cmpstr(source, ==, "debugfs");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/host/check-order", test_check_order);
    g_test_add_func("/host/framebuffer-claims/real", test_framebuffer_claims_real);
    g_test_add_func("/host/dmar/real", test_dmar_real);
    g_test_add_func("/host/dmar/formats", test_dmar_formats);
    g_test_add_func("/host/readers", test_small_readers);
    g_test_add_func("/host/qemu", test_qemu_check);
    g_test_add_func("/host/iomem/broken", test_iomem_broken);
    g_test_add_func("/host/iomem/no-bars", test_iomem_no_bars);
    g_test_add_func("/host/kmsg/broken", test_kmsg_broken);
    g_test_add_func("/host/iommu/edits", test_iommu_edits);
    g_test_add_func("/host/iommu/width", test_iommu_width);
    g_test_add_func("/host/iommu/width-guest", test_iommu_width_guest);
    g_test_add_func("/host/cpu-phys-bits", test_cpu_phys_bits);
    g_test_add_func("/host/vfio/edits", test_vfio_edits);
    g_test_add_func("/host/kernel/edits", test_kernel_edits);
    g_test_add_func("/host/driver/edits", test_driver_edits);
    g_test_add_func("/host/driver/xe-like-i915", test_driver_xe);
    g_test_add_func("/host/requirements/firmware", test_firmware_requirement);
    g_test_add_func("/host/requirements/rom-per-qemu", test_rom_message_per_qemu);
    g_test_add_func("/host/rom-opregion/edits", test_rom_opregion_edits);
    g_test_add_func("/host/not-igd", test_not_igd);
    g_test_add_func("/host/opregion/debugfs-minors", test_debugfs_minors);
    return g_test_run();
}
