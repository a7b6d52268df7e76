/*
 * igd-host.c: host readiness checks for IGD assignment.
 *
 * Each check reads the host through the sysroot and yields one IgdCheck.
 * The device facts come from IgdPciDevice (igd-pci.c), the platform from
 * igd-devices.c, the ROM from igd-rom.c, the OpRegion from igd-opregion.c
 * (read by igd-inspect.c). What is parsed here is host text: /proc/iomem,
 * the kernel log and a few module parameters.
 *
 * Rules worth knowing (and the tests that pin them, tests/test-host.c):
 *  - IOMMU group: vfio accepts a group whose other members are bridges
 *    (Linux drivers/vfio/vfio.c vfio_dev_whitelisted(), now
 *    drivers/vfio/group.c vfio_dev_driver_allowed(): a PCI device whose
 *    header type is not PCI_HEADER_TYPE_NORMAL never blocks viability). Any other member (even the host bridge) would
 *    have to be assigned with the IGD, which no one wants: FAIL.
 *  - DMAR faults: a burst at first assignment is harmless (SPEC §1). The
 *    faults are "ongoing" when they span IGD_HOST_DMAR_ONGOING_SPAN_USEC (2 s)
 *    of log time or more, or number IGD_HOST_DMAR_ONGOING_COUNT (16) or more,
 *    or the kernel had to rate-limit them ("dmar_fault: N callbacks
 *    suppressed" after one of the device's faults). The three real bursts in
 *    tests/data/fixtures/dmesg span 4 ms, 22 ms and 11 µs; the guest-reboot
 *    capture spans 5 s with 893 suppressed reports.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-devices.h"
#include "igd-host.h"
#include "igd-inspect.h"
#include "igd-opregion.h"
#include "igd-rom.h"

#define IOMEM_PATH        "/proc/iomem"
#define IOMEM_MAX         (8u << 20)   /* a real /proc/iomem is ~20 KiB */
#define IOMEM_LINE_MAX    512          /* longer lines are not the kernel's */
#define KMSG_PATH         "/dev/kmsg"
#define KMSG_MAX          (64u << 20)  /* CONFIG_LOG_BUF_SHIFT is at most 25 (32 MiB) */
#define KMSG_CHUNK        16384        /* a /dev/kmsg record is < 8 KiB (CONSOLE_EXT_LOG_MAX) */
#define OSRELEASE_PATH    "/proc/sys/kernel/osrelease"
#define CMDLINE_PATH      "/proc/cmdline"
#define DISABLE_VGA_PATH  "/sys/module/vfio_pci/parameters/disable_vga"
#define VFIO_PCI_MODULE   "/sys/module/vfio_pci"
#define VFIO_PCI_DRIVER   "/sys/bus/pci/drivers/vfio-pci"
#define IOMMU_GROUPS_DIR  "/sys/kernel/iommu_groups"
#define IOMMU_CLASS_DIR   "/sys/class/iommu"
#define PCI_DEVICES_DIR   "/sys/bus/pci/devices"

#define IORESOURCE_MEM    0x200        /* include/linux/ioport.h */
#define PCI_HEADER_TYPE   0x0e         /* config: header type, bit 7 multi-function */
#define PCI_HEADER_TYPE_MASK 0x7f

/* ------------------------------------------------------------------ IgdCheck */

IgdCheck *
igd_check_new(const char *id, const char *what, IgdCheckResult result, const char *message,
              const char *hint)
{
    IgdCheck *c = g_new0(IgdCheck, 1);

    c->id = g_strdup(id);
    c->what = g_strdup(what);
    c->result = result;
    c->message = g_strdup(message);
    c->hint = result == IGD_CHECK_PASS ? NULL : g_strdup(hint);
    return c;
}

void
igd_check_free(IgdCheck *check)
{
    if (check == NULL)
        return;
    g_free(check->id);
    g_free(check->what);
    g_free(check->message);
    g_free(check->hint);
    g_free(check);
}

const char *
igd_check_result_to_string(IgdCheckResult r)
{
    switch (r) {
    case IGD_CHECK_PASS:
        return "pass";
    case IGD_CHECK_WARN:
        return "warn";
    case IGD_CHECK_FAIL:
        return "fail";
    }
    return "fail";
}

const IgdCheck *
igd_host_find_check(GPtrArray *checks, const char *id)
{
    for (guint i = 0; checks && i < checks->len; i++) {
        const IgdCheck *c = g_ptr_array_index(checks, i);
        if (g_strcmp0(c->id, id) == 0)
            return c;
    }
    return NULL;
}

IgdCheckResult
igd_host_worst_result(GPtrArray *checks)
{
    IgdCheckResult worst = IGD_CHECK_PASS;

    for (guint i = 0; checks && i < checks->len; i++) {
        const IgdCheck *c = g_ptr_array_index(checks, i);
        if (c->result > worst)
            worst = c->result;
    }
    return worst;
}

static void G_GNUC_PRINTF(6, 7)
add(GPtrArray *checks, const char *id, const char *what, IgdCheckResult result, const char *hint,
    const char *fmt, ...)
{
    va_list ap;
    g_autofree char *message = NULL;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(checks, igd_check_new(id, what, result, message, hint));
}

/* ------------------------------------------------------------------ small readers */

static gboolean
dir_has_entries(const IgdSysroot *sysroot, const char *abs_path)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    g_autoptr(GDir) dir = path ? g_dir_open(path, 0, NULL) : NULL;

    return dir != NULL && g_dir_read_name(dir) != NULL;
}

static guint
dir_count_entries(const IgdSysroot *sysroot, const char *abs_path)
{
    g_autofree char *path = igd_sysroot_path(sysroot, abs_path);
    g_autoptr(GDir) dir = path ? g_dir_open(path, 0, NULL) : NULL;
    guint n = 0;

    while (dir && g_dir_read_name(dir))
        n++;
    return n;
}

gboolean
igd_host_iommu_enabled(const IgdSysroot *sysroot)
{
    return dir_has_entries(sysroot, IOMMU_GROUPS_DIR) || dir_has_entries(sysroot, IOMMU_CLASS_DIR);
}

gboolean
igd_host_vfio_disable_vga(const IgdSysroot *sysroot, gboolean *disable_vga, GError **error)
{
    g_autofree char *line = NULL;
    g_autoptr(GError) local = NULL;

    line = igd_sysroot_read_line(sysroot, DISABLE_VGA_PATH, &local);
    if (line == NULL) {
        if (g_error_matches(local, IGD_ERROR, IGD_ERROR_NOT_FOUND))
            g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND,
                        "vfio-pci is not loaded or has no VGA support (no %s)", DISABLE_VGA_PATH);
        else
            g_propagate_error(error, g_steal_pointer(&local));
        return FALSE;
    }
    g_strstrip(line);
    if (g_strcmp0(line, "Y") == 0 || g_strcmp0(line, "1") == 0) {
        *disable_vga = TRUE;
        return TRUE;
    }
    if (g_strcmp0(line, "N") == 0 || g_strcmp0(line, "0") == 0) {
        *disable_vga = FALSE;
        return TRUE;
    }
    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s: unexpected value '%.32s'", DISABLE_VGA_PATH,
                line);
    return FALSE;
}

char *
igd_host_kernel_release(const IgdSysroot *sysroot, GError **error)
{
    char *line = igd_sysroot_read_line(sysroot, OSRELEASE_PATH, error);

    if (line == NULL)
        return NULL;
    g_strstrip(line);
    if (*line == '\0') {
        g_free(line);
        g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "%s is empty", OSRELEASE_PATH);
        return NULL;
    }
    return line;
}

gboolean
igd_host_parse_kernel_version(const char *release, guint *major, guint *minor, GError **error)
{
    const char *p = release;
    guint64 maj = 0, min = 0;
    char *end = NULL;

    if (release == NULL || !g_ascii_isdigit(*p))
        goto bad;
    maj = g_ascii_strtoull(p, &end, 10);
    if (*end != '.' || !g_ascii_isdigit(end[1]) || maj > 1000)
        goto bad;
    min = g_ascii_strtoull(end + 1, &end, 10);
    if (min > 1000)
        goto bad;
    *major = (guint)maj;
    *minor = (guint)min;
    return TRUE;
bad:
    g_set_error(error, IGD_ERROR, IGD_ERROR_INVALID, "kernel release '%.64s' is not MAJOR.MINOR...",
                release ? release : "");
    return FALSE;
}

/* ------------------------------------------------------------------ /proc/iomem */

/* Parse "  start-end : name" (hex, lower or upper case). FALSE for anything else. */
static gboolean
iomem_parse_line(const char *line, gsize len, guint64 *start, guint64 *end, const char **name)
{
    const char *p = line, *stop = line + len;
    guint64 v[2] = { 0, 0 };

    while (p < stop && *p == ' ')
        p++;
    for (int k = 0; k < 2; k++) {
        int digits = 0;
        while (p < stop && g_ascii_isxdigit(*p)) {
            if (++digits > 16)
                return FALSE;
            v[k] = (v[k] << 4) | (guint64)g_ascii_xdigit_value(*p);
            p++;
        }
        if (digits == 0)
            return FALSE;
        if (k == 0) {
            if (p >= stop || *p != '-')
                return FALSE;
            p++;
        }
    }
    if (stop - p < 3 || memcmp(p, " : ", 3) != 0)
        return FALSE;
    p += 3;
    if (p >= stop || v[0] > v[1])
        return FALSE;
    *start = v[0];
    *end = v[1];
    *name = p;
    return TRUE;
}

static const char *const framebuffer_names[] = {
    "efifb", "vesafb", "simplefb", "simple-framebuffer", "simpledrm", "BOOTFB",
};

static gboolean
is_framebuffer_name(const char *name, gsize len)
{
    for (gsize i = 0; i < G_N_ELEMENTS(framebuffer_names); i++) {
        gsize n = strlen(framebuffer_names[i]);
        if (len >= n && g_ascii_strncasecmp(name, framebuffer_names[i], n) == 0)
            return TRUE;
    }
    return FALSE;
}

GPtrArray *
igd_host_framebuffer_claims(const IgdSysroot *sysroot, IgdPciDevice *dev, GError **error)
{
    g_autofree guint8 *data = NULL;
    gsize len = 0;
    guint64 bar_start[IGD_PCI_NUM_BARS], bar_end[IGD_PCI_NUM_BARS];
    guint n_bars = 0;
    gboolean any_address = FALSE;
    g_autoptr(GPtrArray) claims = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < IGD_PCI_NUM_BARS; i++) {
        guint64 s, e, flags;
        if (igd_pci_device_get_bar(dev, i, &s, &e, &flags) && (flags & IORESOURCE_MEM) && s <= e) {
            bar_start[n_bars] = s;
            bar_end[n_bars] = e;
            n_bars++;
        }
    }
    if (n_bars == 0) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "%s has no memory BAR in its resource file",
                    igd_pci_device_get_name(dev));
        return NULL;
    }
    if (!igd_sysroot_read(sysroot, IOMEM_PATH, IOMEM_MAX, FALSE, &data, &len, error))
        return NULL;

    for (const char *line = (const char *)data, *eod = (const char *)data + len; line < eod;) {
        const char *nl = memchr(line, '\n', (gsize)(eod - line));
        gsize llen = nl ? (gsize)(nl - line) : (gsize)(eod - line);
        guint64 s, e;
        const char *name;

        if (llen <= IOMEM_LINE_MAX && iomem_parse_line(line, llen, &s, &e, &name)) {
            gsize nlen = llen - (gsize)(name - line);
            if (s != 0 || e != 0)
                any_address = TRUE;
            if (is_framebuffer_name(name, nlen)) {
                for (guint b = 0; b < n_bars; b++) {
                    if (s <= bar_end[b] && e >= bar_start[b]) {
                        g_ptr_array_add(claims, g_strdup_printf("%.*s %" G_GINT64_MODIFIER "x-%"
                                                                G_GINT64_MODIFIER "x",
                                                                (int)nlen, name, s, e));
                        break;
                    }
                }
            }
        }
        line += llen + 1;
    }
    if (!any_address && len > 0) {
        /* kernel/resource.c shows zeros to readers without CAP_SYS_ADMIN */
        g_set_error(error, IGD_ERROR, IGD_ERROR_DENIED,
                    "%s shows no addresses (read without CAP_SYS_ADMIN)", IOMEM_PATH);
        return NULL;
    }
    return g_steal_pointer(&claims);
}

/* ------------------------------------------------------------------ kernel log */

/*
 * Read /dev/kmsg (or a regular file standing for it): non-blocking, one
 * record per read() on the real device, EAGAIN at the end, EPIPE when a
 * record was overwritten while reading (skip on).
 */
static gboolean
read_kmsg(const IgdSysroot *sysroot, GByteArray **out, GError **error)
{
    g_autofree char *path = igd_sysroot_path(sysroot, KMSG_PATH);
    g_autoptr(GByteArray) buf = g_byte_array_new();
    int fd;

    if (path == NULL) {
        g_set_error(error, IGD_ERROR, IGD_ERROR_INTERNAL, "bad path %s", KMSG_PATH);
        return FALSE;
    }
    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        g_set_error(error, IGD_ERROR, e == ENOENT ? IGD_ERROR_NOT_FOUND : IGD_ERROR_IO,
                    "cannot open '%s': %s", path, g_strerror(e));
        return FALSE;
    }
    for (;;) {
        gsize old = buf->len;
        gssize r;

        if (old > KMSG_MAX)
            break; /* keep what was read: the oldest records are the least useful */
        g_byte_array_set_size(buf, old + KMSG_CHUNK);
        r = read(fd, buf->data + old, KMSG_CHUNK);
        if (r < 0) {
            int e = errno;
            g_byte_array_set_size(buf, old);
            if (e == EINTR || e == EPIPE)
                continue;
            if (e == EAGAIN)
                break;
            close(fd);
            g_set_error(error, IGD_ERROR, IGD_ERROR_IO, "cannot read '%s': %s", path, g_strerror(e));
            return FALSE;
        }
        g_byte_array_set_size(buf, old + (gsize)r);
        if (r == 0)
            break;
    }
    close(fd);
    *out = g_steal_pointer(&buf);
    return TRUE;
}

/*
 * Split one log line into its timestamp (µs, -1 when none) and text.
 * "/dev/kmsg": "prio,seq,usec,flags[,...];text"; dmesg: "[  12.345678] text".
 */
static const char *
log_line_text(const char *line, gsize len, gsize *text_len, gint64 *usec)
{
    const char *p = line, *stop = line + len;

    *usec = -1;
    if (len > 0 && g_ascii_isdigit(*p)) {
        /* kmsg: three comma-separated numbers, then up to ';' */
        guint64 f[3] = { 0, 0, 0 };
        int k = 0;
        const char *q = p;
        for (; k < 3 && q < stop; k++) {
            int digits = 0;
            while (q < stop && g_ascii_isdigit(*q) && digits < 20) {
                f[k] = f[k] * 10 + (guint64)(*q - '0');
                q++;
                digits++;
            }
            if (digits == 0 || q >= stop || (*q != ',' && *q != ';'))
                break;
            if (k < 2 && *q != ',')
                break;
            if (k < 2)
                q++;
        }
        if (k == 3) {
            const char *semi = memchr(q, ';', (gsize)(stop - q));
            if (semi) {
                if (f[2] <= G_MAXINT64)
                    *usec = (gint64)f[2];
                *text_len = (gsize)(stop - (semi + 1));
                return semi + 1;
            }
        }
    } else if (len > 2 && *p == '[') {
        const char *q = p + 1;
        guint64 sec = 0, frac = 0;
        int sd = 0, fd = 0;
        while (q < stop && *q == ' ')
            q++;
        while (q < stop && g_ascii_isdigit(*q) && sd < 12) {
            sec = sec * 10 + (guint64)(*q++ - '0');
            sd++;
        }
        if (sd > 0 && q < stop && *q == '.') {
            q++;
            while (q < stop && g_ascii_isdigit(*q) && fd < 6) {
                frac = frac * 10 + (guint64)(*q++ - '0');
                fd++;
            }
            if (fd > 0 && q < stop && *q == ']') {
                for (; fd < 6; fd++)
                    frac *= 10;
                *usec = (gint64)(sec * G_USEC_PER_SEC + frac);
                q++;
                if (q < stop && *q == ' ')
                    q++;
                *text_len = (gsize)(stop - q);
                return q;
            }
        }
    }
    *text_len = len;
    return line;
}

static const char *
memmem_str(const char *hay, gsize len, const char *needle)
{
    gsize n = strlen(needle);

    if (n == 0 || len < n)
        return NULL;
    for (gsize i = 0; i + n <= len; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* Parse a hex number of at most @max digits, optionally "0x"-prefixed. */
static gboolean
parse_hex(const char **pp, const char *stop, guint max_digits, guint *value)
{
    const char *p = *pp;
    guint v = 0, digits = 0;

    if (stop - p >= 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
        p += 2;
    while (p < stop && g_ascii_isxdigit(*p)) {
        if (++digits > max_digits)
            return FALSE;
        v = (v << 4) | (guint)g_ascii_xdigit_value(*p++);
    }
    if (digits == 0)
        return FALSE;
    *value = v;
    *pp = p;
    return TRUE;
}

/*
 * Does this DMAR fault report name @addr? The device appears as
 * "Request device [00:02.0]" (Linux ≤ 6.0) or "[0x00:0x02.0]" (6.1+); the
 * kernel does not print the PCI domain, so only bus:slot.function is matched.
 */
static gboolean
is_dmar_fault_for(const char *text, gsize len, const IgdPciAddress *addr)
{
    const char *p, *stop = text + len;
    guint bus, slot, fn;

    if (memmem_str(text, len, "[DMA ") == NULL)
        return FALSE;
    p = memmem_str(text, len, "Request device [");
    if (p == NULL)
        return FALSE;
    p += strlen("Request device [");
    if (!parse_hex(&p, stop, 2, &bus) || p >= stop || *p++ != ':')
        return FALSE;
    if (!parse_hex(&p, stop, 2, &slot) || p >= stop || *p++ != '.')
        return FALSE;
    if (p >= stop || !g_ascii_isdigit(*p))
        return FALSE;
    fn = (guint)(*p++ - '0');
    if (p >= stop || *p != ']')
        return FALSE;
    return bus == addr->bus && slot == addr->slot && fn == addr->function;
}

guint
igd_host_dmar_faults(const IgdSysroot *sysroot, const IgdPciAddress *addr, gboolean *ongoing,
                     GError **error)
{
    g_autoptr(GByteArray) log = NULL;
    guint faults = 0;
    gboolean suppressed = FALSE;
    gint64 first = G_MAXINT64, last = G_MININT64;

    if (ongoing)
        *ongoing = FALSE;
    if (!read_kmsg(sysroot, &log, error))
        return 0;

    for (const char *line = (const char *)log->data, *eod = line + log->len; line < eod;) {
        const char *nl = memchr(line, '\n', (gsize)(eod - line));
        gsize llen = nl ? (gsize)(nl - line) : (gsize)(eod - line);
        gsize tlen;
        gint64 usec;
        const char *text;

        if (llen == 0 || *line == ' ') { /* kmsg continuation "KEY=value" lines */
            line += llen + 1;
            continue;
        }
        text = log_line_text(line, llen, &tlen, &usec);
        if (is_dmar_fault_for(text, tlen, addr)) {
            faults++;
            if (usec >= 0) {
                first = MIN(first, usec);
                last = MAX(last, usec);
            }
        } else if (faults > 0 && memmem_str(text, tlen, "dmar_fault") &&
                   memmem_str(text, tlen, "callbacks suppressed")) {
            suppressed = TRUE;
        }
        line += llen + 1;
    }
    if (ongoing && faults > 0)
        *ongoing = suppressed || faults >= IGD_HOST_DMAR_ONGOING_COUNT ||
                   (last >= first && last - first >= IGD_HOST_DMAR_ONGOING_SPAN_USEC);
    return faults;
}

/* ------------------------------------------------------------------ the checks */

/* The fix for a device held by a host driver, naming the device as virsh does (pci_0000_00_02_0). */
static char *
hint_detach(const IgdPciDevice *dev)
{
    g_autofree char *nodedev = g_strdup_printf("pci_%s", igd_pci_device_get_name(dev));

    g_strdelimit(nodedev, ":.", '_');
    return g_strdup_printf("detach it from the host driver: `virsh nodedev-detach %s` and use "
                           "<hostdev managed='no'>, or `igd-assign setup DOMAIN` (driver_override vfio-pci)",
                           nodedev);
}

static void
check_iommu(GPtrArray *checks, const IgdSysroot *sysroot)
{
    g_autofree char *cmdline = igd_sysroot_read_line(sysroot, CMDLINE_PATH, NULL);
    guint groups = dir_count_entries(sysroot, IOMMU_GROUPS_DIR);

    if (igd_host_iommu_enabled(sysroot)) {
        add(checks, "iommu", "IOMMU enabled", IGD_CHECK_PASS, NULL, "DMA remapping is on (%u IOMMU groups)",
            groups);
    } else if (cmdline && strstr(cmdline, "intel_iommu=off")) {
        add(checks, "iommu", "IOMMU enabled", IGD_CHECK_FAIL,
            "remove intel_iommu=off and boot with intel_iommu=on",
            "DMA remapping is off: the kernel was booted with intel_iommu=off");
    } else {
        add(checks, "iommu", "IOMMU enabled", IGD_CHECK_FAIL,
            "enable VT-d in the BIOS and boot with intel_iommu=on",
            "DMA remapping is off: no IOMMU groups in %s", IOMMU_GROUPS_DIR);
    }
}

static gboolean
is_bridge(const IgdSysroot *sysroot, const IgdPciAddress *a)
{
    g_autoptr(IgdPciDevice) d = igd_pci_device_new(sysroot, a, NULL);
    g_autoptr(GBytes) cfg = NULL;
    const guint8 *b;
    gsize n = 0;

    if (d == NULL)
        return FALSE;
    cfg = igd_pci_device_read_config(d, NULL);
    if (cfg) {
        b = g_bytes_get_data(cfg, &n);
        if (n > PCI_HEADER_TYPE)
            return (b[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_MASK) != 0;
    }
    /* no config: PCI-to-PCI (0x0604) and CardBus (0x0607) bridges by class */
    return (igd_pci_device_get_class(d) >> 8) == 0x0604 || (igd_pci_device_get_class(d) >> 8) == 0x0607;
}

static void
check_iommu_group(GPtrArray *checks, const IgdSysroot *sysroot, IgdPciDevice *dev)
{
    const char *what = "IGD IOMMU group assignable";
    gint group = igd_pci_device_get_iommu_group(dev);
    g_autoptr(GPtrArray) members = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(GString) others = g_string_new(NULL);
    guint n_others = 0;

    if (group < 0) {
        add(checks, "iommu-group", what, IGD_CHECK_FAIL,
            "enable VT-d in the BIOS and boot with intel_iommu=on",
            "%s is in no IOMMU group", igd_pci_device_get_name(dev));
        return;
    }
    members = igd_pci_iommu_group_devices(sysroot, group, &error);
    if (members == NULL) {
        add(checks, "iommu-group", what, IGD_CHECK_WARN, "check /sys/kernel/iommu_groups",
            "cannot list IOMMU group %d: %s", group, error->message);
        return;
    }
    for (guint i = 0; i < members->len; i++) {
        const IgdPciAddress *a = g_ptr_array_index(members, i);
        g_autofree char *name = NULL;
        if (igd_pci_address_equal(a, igd_pci_device_get_address(dev)) || is_bridge(sysroot, a))
            continue;
        name = igd_pci_address_to_string(a);
        g_string_append_printf(others, "%s%s", n_others ? ", " : "", name);
        n_others++;
    }
    if (n_others > 0) {
        add(checks, "iommu-group", what, IGD_CHECK_FAIL,
            "every device of an IOMMU group goes to the guest together: the IGD must be alone in its "
            "group (check the BIOS VT-d/ACS settings)",
            "IOMMU group %d also holds %s", group, others->str);
    } else {
        add(checks, "iommu-group", what, IGD_CHECK_PASS, NULL, "%s is alone in IOMMU group %d",
            igd_pci_device_get_name(dev), group);
    }
}

static void
check_vfio(GPtrArray *checks, const IgdSysroot *sysroot)
{
    gboolean disable_vga = FALSE;
    g_autoptr(GError) error = NULL;
    gboolean loaded = igd_sysroot_exists(sysroot, VFIO_PCI_MODULE) ||
                      igd_sysroot_exists(sysroot, VFIO_PCI_DRIVER);

    if (loaded)
        add(checks, "vfio-pci", "VFIO PCI driver", IGD_CHECK_PASS, NULL, "vfio-pci is loaded");
    else
        add(checks, "vfio-pci", "VFIO PCI driver", IGD_CHECK_FAIL,
            "`modprobe vfio-pci` (and list it in /etc/modules-load.d/ to load it at boot)",
            "vfio-pci is not loaded");

    if (!igd_host_vfio_disable_vga(sysroot, &disable_vga, &error)) {
        add(checks, "vfio-vga", "VFIO VGA access (disable_vga off)", IGD_CHECK_WARN,
            loaded ? "legacy mode needs a kernel with CONFIG_VFIO_PCI_VGA" : "`modprobe vfio-pci`",
            "cannot tell: %s", error->message);
    } else if (disable_vga) {
        add(checks, "vfio-vga", "VFIO VGA access (disable_vga off)", IGD_CHECK_WARN,
            "set `options vfio-pci disable_vga=0` in /etc/modprobe.d/ (or vfio-pci.disable_vga=0 on the "
            "kernel command line) for legacy mode",
            "vfio-pci disable_vga is on: legacy mode is impossible (QEMU: failed getting region info for "
            "VGA region index 8); UPT is unaffected");
    } else {
        add(checks, "vfio-vga", "VFIO VGA access (disable_vga off)", IGD_CHECK_PASS, NULL,
            "vfio-pci disable_vga is off");
    }
}

static void
check_driver(GPtrArray *checks, IgdPciDevice *dev)
{
    const char *what = "IGD host driver";
    const char *driver = igd_pci_device_get_driver(dev);
    const char *override = igd_pci_device_get_driver_override(dev);
    const char *name = igd_pci_device_get_name(dev);
    g_autofree char *detach = hint_detach(dev);
    g_autofree char *probe = g_strdup_printf("`echo %s > /sys/bus/pci/drivers_probe` or `igd-assign setup DOMAIN`",
                                             name);

    if (g_strcmp0(driver, "vfio-pci") == 0) {
        add(checks, "driver", what, IGD_CHECK_PASS, NULL, "%s is bound to vfio-pci%s", name,
            g_strcmp0(override, "vfio-pci") == 0 ? " (driver_override vfio-pci)" : "");
    } else if (driver == NULL) {
        if (g_strcmp0(override, "vfio-pci") == 0)
            add(checks, "driver", what, IGD_CHECK_WARN, probe,
                "%s is bound to no driver (driver_override vfio-pci)", name);
        else
            add(checks, "driver", what, IGD_CHECK_WARN, detach, "%s is bound to no driver", name);
    } else if (g_strcmp0(driver, "i915") == 0 || g_strcmp0(driver, "xe") == 0) {
        add(checks, "driver", what, IGD_CHECK_FAIL, detach, "%s is bound to %s, the host graphics driver",
            name, driver);
    } else {
        add(checks, "driver", what, IGD_CHECK_FAIL, detach, "%s is bound to %s", name, driver);
    }
}

static void
check_framebuffer(GPtrArray *checks, const IgdSysroot *sysroot, IgdPciDevice *dev)
{
    const char *what = "no framebuffer driver on the IGD BARs";
    g_autoptr(GError) error = NULL;
    g_autoptr(GPtrArray) claims = igd_host_framebuffer_claims(sysroot, dev, &error);
    g_autoptr(GString) list = g_string_new(NULL);
    g_autoptr(GString) hint = g_string_new(NULL);
    gboolean efi = FALSE, sysfb = FALSE, vesa = FALSE;

    if (claims == NULL) {
        add(checks, "framebuffer", what, IGD_CHECK_WARN,
            g_error_matches(error, IGD_ERROR, IGD_ERROR_DENIED) ? "run as root" : "check /proc/iomem by hand",
            "cannot tell: %s", error->message);
        return;
    }
    if (claims->len == 0) {
        add(checks, "framebuffer", what, IGD_CHECK_PASS, NULL,
            "no efifb/vesafb/simplefb/BOOTFB range inside a BAR of %s", igd_pci_device_get_name(dev));
        return;
    }
    for (guint i = 0; i < claims->len; i++) {
        const char *c = g_ptr_array_index(claims, i);
        g_string_append_printf(list, "%s%s", i ? ", " : "", c);
        if (g_ascii_strncasecmp(c, "efifb", 5) == 0)
            efi = TRUE;
        else if (g_ascii_strncasecmp(c, "vesafb", 6) == 0)
            vesa = TRUE;
        else
            sysfb = TRUE;
    }
    if (efi)
        g_string_append(hint, "boot with video=efifb:off (and initcall_blacklist=sysfb_init on 5.15+)");
    if (vesa)
        g_string_append_printf(hint, "%sboot with video=vesafb:off", hint->len ? "; " : "");
    if (sysfb && !efi)
        g_string_append_printf(hint, "%sboot with initcall_blacklist=sysfb_init (sysfb's simple-framebuffer "
                               "registers BOOTFB)", hint->len ? "; " : "");
    add(checks, "framebuffer", what, IGD_CHECK_FAIL, hint->str,
        "%s inside the BARs of %s (QEMU: Failed to mmap BAR, slow or no display)", list->str,
        igd_pci_device_get_name(dev));
}

static void
check_kernel(GPtrArray *checks, const IgdSysroot *sysroot, IgdPciDevice *dev)
{
    const char *what = "kernel vfio IGD support";
    g_autoptr(GError) error = NULL;
    g_autofree char *release = igd_host_kernel_release(sysroot, &error);
    guint major = 0, minor = 0;
    guint32 cls = igd_pci_device_get_class(dev);

    if (release == NULL || !igd_host_parse_kernel_version(release, &major, &minor, &error)) {
        add(checks, "kernel", what, IGD_CHECK_WARN, "Linux 4.6 or newer is needed",
            "cannot tell the kernel version: %s", error->message);
        return;
    }
    if (major < 4 || (major == 4 && minor < 6)) {
        add(checks, "kernel", what, IGD_CHECK_FAIL, "upgrade to Linux 4.6 or newer",
            "kernel %s has no vfio IGD regions (OpRegion, host and LPC bridge: Linux 4.6+)", release);
    } else if ((cls >> 8) != 0x0300 && (major < 6 || (major == 6 && minor < 15))) {
        add(checks, "kernel", what, IGD_CHECK_FAIL,
            "upgrade to Linux 6.15 or newer, or make the IGD the primary display in the BIOS (VGA class)",
            "kernel %s exposes the IGD regions only for VGA-class devices and %s is class 0x%06x "
            "(display class beyond VGA since Linux 6.15)", release, igd_pci_device_get_name(dev), cls);
    } else {
        add(checks, "kernel", what, IGD_CHECK_PASS, NULL, "kernel %s has the vfio IGD regions", release);
    }
}

static void
check_rom(GPtrArray *checks, IgdPciDevice *dev)
{
    const char *what = "IGD VGA ROM";
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) bytes = igd_pci_device_read_rom(dev, &error);
    g_autoptr(IgdRom) rom = NULL;
    g_autoptr(GString) images = g_string_new(NULL);
    gboolean mismatch = FALSE;

    if (bytes == NULL) {
        add(checks, "rom", what, IGD_CHECK_WARN,
            "legacy mode needs a VGA ROM: give one with `igd-assign rewrite --romfile FILE` (<rom file=...>)",
            "no ROM readable: %s", error->message);
        return;
    }
    rom = igd_rom_parse(bytes, &error);
    if (rom == NULL) {
        add(checks, "rom", what, IGD_CHECK_FAIL,
            "the device ROM is not usable: give a VGA BIOS with `igd-assign rewrite --romfile FILE`",
            "the ROM of %s is invalid: %s", igd_pci_device_get_name(dev), error->message);
        return;
    }
    for (guint i = 0; i < igd_rom_get_n_images(rom); i++) {
        const IgdRomImage *im = igd_rom_get_image(rom, i);
        g_string_append_printf(images, "%s%s %04x:%04x", i ? ", " : "", igd_rom_code_type_name(im->code_type),
                               im->vendor_id, im->device_id);
        if (im->vendor_id != IGD_PCI_VENDOR_INTEL)
            mismatch = TRUE;
    }
    if (!igd_rom_has_legacy(rom)) {
        add(checks, "rom", what, IGD_CHECK_WARN,
            "legacy mode needs an x86 VGA BIOS image: give one with `igd-assign rewrite --romfile FILE`",
            "the ROM has no x86 VGA BIOS image (%s)", images->str);
    } else if (mismatch) {
        add(checks, "rom", what, IGD_CHECK_WARN, "use the VGA BIOS of this IGD (--romfile)",
            "the ROM names another vendor (%s)", images->str);
    } else {
        add(checks, "rom", what, IGD_CHECK_PASS, NULL, "valid ROM: %s", images->str);
    }
}

static void
check_opregion(GPtrArray *checks, const IgdSysroot *sysroot, IgdPciDevice *dev, guint32 asls)
{
    const char *what = "IGD OpRegion";
    g_autoptr(GError) error = NULL;
    g_autofree char *source = NULL;
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(IgdOpRegion) op = NULL;
    g_autoptr(GBytes) vbt = NULL;

    if (asls == 0) {
        add(checks, "opregion", what, IGD_CHECK_FAIL,
            "the firmware set no OpRegion (ASLS = 0): enable the IGD as a display in the BIOS",
            "ASLS (config 0xfc) of %s is 0: no OpRegion", igd_pci_device_get_name(dev));
        return;
    }
    bytes = igd_inspect_read_opregion(sysroot, igd_pci_device_get_address(dev),
                                      igd_pci_device_get_driver(dev), &source, &error);
    if (bytes == NULL) {
        add(checks, "opregion", what, IGD_CHECK_WARN,
            "bind the IGD to vfio-pci (VFIO OpRegion region) or mount debugfs with i915 bound",
            "OpRegion at 0x%08x not readable here: %s", asls, error->message);
        return;
    }
    op = igd_opregion_parse_at(bytes, asls, &error);
    if (op == NULL) {
        add(checks, "opregion", what, IGD_CHECK_FAIL,
            "the OpRegion is not usable: pass a good one to the guest with the daemon's OpRegion override",
            "OpRegion from %s is invalid: %s", source, error->message);
        return;
    }
    vbt = igd_opregion_get_vbt(op);
    if (vbt == NULL) {
        add(checks, "opregion", what, IGD_CHECK_WARN,
            "the guest driver will have no VBT: configure a VBT override for the daemon",
            "OpRegion %u.%u from %s at 0x%08x has no reachable VBT", igd_opregion_get_version_major(op),
            igd_opregion_get_version_minor(op), source, asls);
        return;
    }
    add(checks, "opregion", what, IGD_CHECK_PASS, NULL, "OpRegion %u.%u from %s at 0x%08x, VBT of %" G_GSIZE_FORMAT " bytes",
        igd_opregion_get_version_major(op), igd_opregion_get_version_minor(op), source, asls,
        g_bytes_get_size(vbt));
}

static void
check_dmar(GPtrArray *checks, const IgdSysroot *sysroot, IgdPciDevice *dev)
{
    const char *what = "no ongoing DMAR faults";
    g_autoptr(GError) error = NULL;
    gboolean ongoing = FALSE;
    guint n = igd_host_dmar_faults(sysroot, igd_pci_device_get_address(dev), &ongoing, &error);

    if (error) {
        add(checks, "dmar", what, IGD_CHECK_WARN, "run as root (kernel.dmesg_restrict) to read the kernel log",
            "cannot read the kernel log: %s", error->message);
    } else if (n == 0) {
        add(checks, "dmar", what, IGD_CHECK_PASS, NULL, "no DMAR faults for %s in the kernel log",
            igd_pci_device_get_name(dev));
    } else if (!ongoing) {
        add(checks, "dmar", what, IGD_CHECK_WARN,
            "a few faults at the first assignment are harmless; watch for new ones",
            "%u DMAR fault%s for %s in one burst", n, n == 1 ? "" : "s", igd_pci_device_get_name(dev));
    } else {
        add(checks, "dmar", what, IGD_CHECK_FAIL,
            "give the guest the host's stolen memory (etc/igd-bdsm-size or x-igd-gms, `igd-assign setup`) "
            "and use a firmware with the IGD fw_cfg support",
            "%u DMAR faults for %s, ongoing (spread over time or rate-limited by the kernel)", n,
            igd_pci_device_get_name(dev));
    }
}

static void
check_qemu(GPtrArray *checks, const IgdQemuCaps *qemu)
{
    const char *what = "QEMU vfio-pci IGD support";
    g_autoptr(GString) opts = g_string_new(NULL);

    if (qemu == NULL) {
        add(checks, "qemu", what, IGD_CHECK_WARN, "install qemu-system-x86", "no QEMU found");
        return;
    }
    if (!qemu->has_vfio_pci) {
        add(checks, "qemu", what, IGD_CHECK_FAIL, "install a QEMU built with VFIO (qemu-system-x86)",
            "QEMU %u.%u.%u has no vfio-pci device", qemu->major, qemu->minor, qemu->micro);
        return;
    }
    if (qemu->x_igd_opregion)
        g_string_append(opts, " x-igd-opregion");
    if (qemu->x_igd_gms)
        g_string_append(opts, " x-igd-gms");
    if (qemu->x_igd_legacy_mode)
        g_string_append(opts, " x-igd-legacy-mode");
    if (qemu->x_igd_lpc)
        g_string_append(opts, " x-igd-lpc");
    if (opts->len == 0)
        add(checks, "qemu", what, IGD_CHECK_WARN, "install QEMU 2.7 or newer",
            "QEMU %u.%u.%u vfio-pci offers no x-igd-* option", qemu->major, qemu->minor, qemu->micro);
    else
        add(checks, "qemu", what, IGD_CHECK_PASS, NULL, "QEMU %u.%u.%u vfio-pci offers%s", qemu->major,
            qemu->minor, qemu->micro, opts->str);
}

GPtrArray *
igd_host_run_checks(const IgdSysroot *sysroot, const IgdPciAddress *addr, const IgdQemuCaps *qemu,
                    GError **error)
{
    g_autoptr(GPtrArray) checks = g_ptr_array_new_with_free_func((GDestroyNotify)igd_check_free);
    g_autoptr(IgdPciDevice) dev = NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(GBytes) cfg = NULL;
    IgdPciAddress def;
    const IgdPlatformInfo *platform;
    IgdGmchInfo gmch = { 0 };
    gboolean gmch_ok = FALSE;
    char name[13];

    if (addr == NULL) {
        if (!igd_pci_address_parse(IGD_PCI_ADDRESS_DEFAULT, &def, error))
            return NULL;
        addr = &def;
    }
    igd_pci_address_format(addr, name);
    if (!igd_sysroot_exists(sysroot, PCI_DEVICES_DIR)) {
        g_autofree char *p = igd_sysroot_path(sysroot, PCI_DEVICES_DIR);
        g_set_error(error, IGD_ERROR, IGD_ERROR_NOT_FOUND, "cannot read '%s': no such directory", p);
        return NULL;
    }

    dev = igd_pci_device_new(sysroot, addr, &local);
    if (dev == NULL) {
        add(checks, "igd-present", "Intel IGD present", IGD_CHECK_FAIL,
            "enable the integrated graphics in the BIOS (iGPU, IGD multi-monitor)", "no usable device at %s: %s",
            name, local->message);
        return g_steal_pointer(&checks);
    }
    if (!igd_pci_device_is_intel_display(dev)) {
        add(checks, "igd-present", "Intel IGD present", IGD_CHECK_FAIL,
            "give the PCI address of the Intel IGD (usually 0000:00:02.0)",
            "%s is %04x:%04x class 0x%06x, not an Intel display device", name,
            igd_pci_device_get_vendor_id(dev), igd_pci_device_get_device_id(dev), igd_pci_device_get_class(dev));
        return g_steal_pointer(&checks);
    }
    add(checks, "igd-present", "Intel IGD present", IGD_CHECK_PASS, NULL, "%s is %04x:%04x class 0x%06x", name,
        igd_pci_device_get_vendor_id(dev), igd_pci_device_get_device_id(dev), igd_pci_device_get_class(dev));

    platform = igd_platform_lookup(igd_pci_device_get_device_id(dev));
    if (platform == NULL)
        add(checks, "generation", "IGD generation supported", IGD_CHECK_FAIL,
            "IGD assignment needs a known Sandy Bridge or newer IGD",
            "device id 0x%04x is not a known Intel IGD", igd_pci_device_get_device_id(dev));
    else if (platform->gen < 6)
        add(checks, "generation", "IGD generation supported", IGD_CHECK_FAIL,
            "IGD assignment needs Sandy Bridge (generation 6) or newer",
            "%s (generation %u) is older than Sandy Bridge", platform->platform, platform->gen);
    else if (platform->gen < 8)
        add(checks, "generation", "IGD generation supported", IGD_CHECK_PASS, NULL,
            "%s (generation %u): legacy mode only, guest drivers support UPT from Broadwell on",
            platform->platform, platform->gen);
    else
        add(checks, "generation", "IGD generation supported", IGD_CHECK_PASS, NULL, "%s (generation %u)",
            platform->platform, platform->gen);

    cfg = igd_pci_device_read_config(dev, NULL);
    if (cfg && platform) {
        gsize n = 0;
        const guint8 *b = g_bytes_get_data(cfg, &n);
        gmch_ok = igd_gmch_decode(platform, b, n, &gmch, NULL);
    }

    check_iommu(checks, sysroot);
    check_iommu_group(checks, sysroot, dev);
    check_vfio(checks, sysroot);
    check_driver(checks, dev);
    check_framebuffer(checks, sysroot, dev);
    check_kernel(checks, sysroot, dev);
    check_rom(checks, dev);
    if (gmch_ok && gmch.asls_present)
        check_opregion(checks, sysroot, dev, gmch.asls);
    else
        add(checks, "opregion", "IGD OpRegion", IGD_CHECK_WARN, "check that config space is readable (run as root)",
            "cannot read ASLS from the config space of %s", name);
    check_dmar(checks, sysroot, dev);
    check_qemu(checks, qemu);
    return g_steal_pointer(&checks);
}
