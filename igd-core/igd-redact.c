/*
 * igd-redact.c: what of a host's data is private, and how it is left out
 * (see igd-redact.h). tests/test-capture.c pins each rule.
 */
#include "config.h"

#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "igd-common.h"
#include "igd-redact.h"

#define MAX_WORDS          256
#define KMSG_RECORD_MAX    8192    /* longer lines are not the kernel's (CONSOLE_EXT_LOG_MAX) */

#define PCI_STATUS          0x06
#define PCI_STATUS_CAP_LIST 0x10   /* include/uapi/linux/pci_regs.h */
#define PCI_CAPABILITY_LIST 0x34
#define PCI_CAP_ID_VPD      0x03   /* Vital Product Data: address at +2, data at +4 */
#define PCI_EXT_CAP_START   0x100
#define PCI_EXT_CAP_ID_DSN  0x0003 /* Device Serial Number: the 64-bit serial at +4 */

/* Kernel log records kept when they name no other PCI device (case-sensitive). */
static const char *const kmsg_keywords[] = {
    "DMAR", "dmar", "IOMMU", "iommu", "vfio", "VFIO", "i915",
    "efifb", "vesafb", "simplefb", "simple-framebuffer", "simpledrm", "BOOTFB",
};

/* /proc/cmdline parameters whose value names a disk, a network identity or a host. */
static const char *const cmdline_private_keys[] = {
    "root", "resume", "cryptdevice", "cryptkey", "crypt_root", "real_root", "nfsroot", "nfsaddrs", "ip",
    "hostname", "systemd.hostname", "systemd.machine_id", "BOOTIF", "ifname", "bootdev", "netroot",
    "nameserver", "iscsi_initiator", "iscsi_target_name", "iscsi_target_ip", "bond", "vlan", "bridge", "team",
    "zfs", "mount.usr", "systemd.setenv",
};
static const char *const cmdline_private_prefixes[] = {
    "rd.luks.", "luks.", "rd.lvm.", "rd.md.", "rd.dm.", "rd.iscsi.", "rd.zfs", "rd.znet", "rd.nfs",
    "rd.route", "rd.peerdns", "rd.systemd.mount-extra", "systemd.mount-extra", "rd.neednet.",
};

typedef struct {
    char *word;
    char *kind;          /* "host name", "user name" */
} PrivateWord;

struct _IgdRedactor {
    GPtrArray *words;    /* PrivateWord */
};

static void
word_free(PrivateWord *w)
{
    g_free(w->word);
    g_free(w->kind);
    g_free(w);
}

void
igd_redaction_free(IgdRedaction *x)
{
    if (x == NULL)
        return;
    g_free(x->what);
    g_free(x);
}

IgdRedactor *
igd_redactor_new(void)
{
    IgdRedactor *r = g_new0(IgdRedactor, 1);

    r->words = g_ptr_array_new_with_free_func((GDestroyNotify)word_free);
    return r;
}

void
igd_redactor_free(IgdRedactor *r)
{
    if (r == NULL)
        return;
    g_ptr_array_unref(r->words);
    g_free(r);
}

/* ------------------------------------------------------------------ private words */

void
igd_redactor_add_word(IgdRedactor *r, const char *word, const char *kind)
{
    PrivateWord *w;

    if (word == NULL || strlen(word) < 2 || r->words->len >= MAX_WORDS)
        return;
    if (g_ascii_strcasecmp(word, "root") == 0 || g_ascii_strcasecmp(word, "localhost") == 0 ||
        g_str_equal(word, "(none)"))
        return;
    for (guint i = 0; i < r->words->len; i++) {
        if (g_ascii_strcasecmp(((PrivateWord *)r->words->pdata[i])->word, word) == 0)
            return;
    }
    w = g_new0(PrivateWord, 1);
    w->word = g_strdup(word);
    w->kind = g_strdup(kind);
    g_ptr_array_add(r->words, w);
}

static void
add_host_name(IgdRedactor *r, const char *name)
{
    g_autofree char *copy = g_strstrip(g_strdup(name));
    char *dot;

    igd_redactor_add_word(r, copy, "host name");
    dot = strchr(copy, '.');
    if (dot != NULL) {
        *dot = '\0';
        igd_redactor_add_word(r, copy, "host name");
    }
}

void
igd_redactor_add_host_words(IgdRedactor *r, const char *tree_hostname)
{
    char host[256];
    struct passwd *pw;
    const char *env[] = { "SUDO_USER", "USER", "LOGNAME" };

    if (gethostname(host, sizeof(host)) == 0) {
        host[sizeof(host) - 1] = '\0';
        add_host_name(r, host);
    }
    if (tree_hostname != NULL)
        add_host_name(r, tree_hostname);
    if (getuid() != 0 && (pw = getpwuid(getuid())) != NULL)
        igd_redactor_add_word(r, pw->pw_name, "user name");
    for (gsize i = 0; i < G_N_ELEMENTS(env); i++)
        igd_redactor_add_word(r, g_getenv(env[i]), "user name");
    /* Debian's adduser.conf: FIRST_UID=1000, LAST_UID=59999 */
    setpwent();
    while ((pw = getpwent()) != NULL) {
        if (pw->pw_uid >= 1000 && pw->pw_uid <= 59999)
            igd_redactor_add_word(r, pw->pw_name, "user name");
    }
    endpwent();
}

/* ------------------------------------------------------------------ text */

static gboolean
is_word_char(char ch)
{
    return g_ascii_isalnum(ch);
}

/* A UUID (8-4-4-4-12 hex digits) starting at @i, not inside a longer run of hex digits. */
static gsize
match_uuid(const char *s, gsize len, gsize i)
{
    static const guint groups[] = { 8, 4, 4, 4, 12 };
    gsize p = i;

    if (i > 0 && g_ascii_isxdigit(s[i - 1]))
        return 0;
    for (guint g = 0; g < G_N_ELEMENTS(groups); g++) {
        if (g > 0) {
            if (p >= len || s[p] != '-')
                return 0;
            p++;
        }
        for (guint k = 0; k < groups[g]; k++, p++) {
            if (p >= len || !g_ascii_isxdigit(s[p]))
                return 0;
        }
    }
    if (p < len && g_ascii_isxdigit(s[p]))
        return 0;
    return p - i;
}

/* A MAC address (six pairs of hex digits joined by the same ':' or '-') at @i. */
static gsize
match_mac(const char *s, gsize len, gsize i)
{
    gsize p = i;
    char sep = 0;

    if (i > 0 && (g_ascii_isxdigit(s[i - 1]) || s[i - 1] == ':' || s[i - 1] == '-'))
        return 0;
    for (guint g = 0; g < 6; g++) {
        if (g > 0) {
            if (p >= len || (s[p] != ':' && s[p] != '-') || (sep && s[p] != sep))
                return 0;
            sep = s[p++];
        }
        if (p + 2 > len || !g_ascii_isxdigit(s[p]) || !g_ascii_isxdigit(s[p + 1]))
            return 0;
        p += 2;
    }
    if (p < len && (g_ascii_isxdigit(s[p]) || s[p] == ':' || s[p] == '-'))
        return 0;
    return p - i;
}

/* A private word at @i, whole (case-insensitive, not inside a longer word). */
static gsize
match_word(const char *s, gsize len, gsize i, const char *word)
{
    gsize n = strlen(word);

    if (i > 0 && is_word_char(s[i - 1]))
        return 0;
    if (n > len - i || g_ascii_strncasecmp(s + i, word, n) != 0)
        return 0;
    if (i + n < len && is_word_char(s[i + n]))
        return 0;
    return n;
}

/*
 * Replace MAC addresses, UUIDs (@ids) and the private words in @len bytes
 * of @s (any bytes, NUL included), one pass, linear in @len for a bounded
 * word list. Counts go to @counts: [0] MAC, [1] UUID, [2 + k] word k.
 */
static GByteArray *
redact_bytes(const IgdRedactor *r, const char *s, gsize len, gboolean ids, guint *counts)
{
    GByteArray *out = g_byte_array_sized_new((guint)len + 16);
    gsize i = 0;

    while (i < len) {
        gsize n = 0;
        const char *repl = NULL;

        if (ids && g_ascii_isxdigit(s[i])) {
            if ((n = match_mac(s, len, i)) != 0) {
                repl = "REDACTED-MAC";
                counts[0]++;
            } else if ((n = match_uuid(s, len, i)) != 0) {
                repl = "REDACTED-UUID";
                counts[1]++;
            }
        }
        if (n == 0 && is_word_char(s[i]) && (i == 0 || !is_word_char(s[i - 1]))) {
            for (guint k = 0; k < r->words->len; k++) {
                PrivateWord *w = r->words->pdata[k];
                if ((n = match_word(s, len, i, w->word)) != 0) {
                    repl = g_str_equal(w->kind, "host name") ? "REDACTED-HOST" : "REDACTED-USER";
                    counts[2 + k]++;
                    break;
                }
            }
        }
        if (n != 0) {
            g_byte_array_append(out, (const guint8 *)repl, (guint)strlen(repl));
            i += n;
        } else {
            g_byte_array_append(out, (const guint8 *)s + i, 1);
            i++;
        }
    }
    return out;
}

static void
found_add(GPtrArray *found, guint count, const char *what)
{
    IgdRedaction *x;

    if (found == NULL || count == 0)
        return;
    x = g_new0(IgdRedaction, 1);
    x->what = g_strdup(what);
    x->count = count;
    g_ptr_array_add(found, x);
}

static void
record_counts(const IgdRedactor *r, const guint *counts, GPtrArray *found)
{
    found_add(found, counts[0], "MAC address");
    found_add(found, counts[1], "UUID");
    for (guint k = 0; k < r->words->len; k++)
        found_add(found, counts[2 + k], ((PrivateWord *)r->words->pdata[k])->kind);
}

GBytes *
igd_redactor_text(const IgdRedactor *r, GBytes *text, GPtrArray *found)
{
    g_autofree guint *counts = g_new0(guint, 2 + r->words->len);
    gsize len = 0;
    const char *s = g_bytes_get_data(text, &len);
    GByteArray *out = redact_bytes(r, s, len, TRUE, counts);

    record_counts(r, counts, found);
    return g_byte_array_free_to_bytes(out);
}

char *
igd_redactor_words(const IgdRedactor *r, const char *text)
{
    g_autofree guint *counts = g_new0(guint, 2 + r->words->len);
    GByteArray *out = redact_bytes(r, text, strlen(text), FALSE, counts);

    g_byte_array_append(out, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(out, FALSE);
}

static gboolean
cmdline_key_private(const char *key, gsize len)
{
    g_autofree char *k = g_strndup(key, len);

    for (gsize i = 0; i < G_N_ELEMENTS(cmdline_private_keys); i++)
        if (g_str_equal(k, cmdline_private_keys[i]))
            return TRUE;
    for (gsize i = 0; i < G_N_ELEMENTS(cmdline_private_prefixes); i++)
        if (g_str_has_prefix(k, cmdline_private_prefixes[i]))
            return TRUE;
    return FALSE;
}

GBytes *
igd_redactor_cmdline(const IgdRedactor *r, GBytes *cmdline, GPtrArray *found)
{
    gsize len = 0;
    const char *s = g_bytes_get_data(cmdline, &len);
    g_autoptr(GByteArray) out = g_byte_array_sized_new((guint)len);
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GPtrArray) order = g_ptr_array_new();
    gsize i = 0;

    while (i < len) {
        gsize start, eq = 0, end;
        gboolean quoted = FALSE;

        if (g_ascii_isspace(s[i]) || s[i] == '\0') {
            g_byte_array_append(out, (const guint8 *)s + i, 1);
            i++;
            continue;
        }
        start = i;
        for (end = i; end < len && s[end] != '\0' && (quoted || !g_ascii_isspace(s[end])); end++) {
            /* as next_arg(): the first '=' ends the key, quoted or not */
            if (s[end] == '=' && eq == 0)
                eq = end;
            if (s[end] == '"')
                quoted = !quoted;
        }
        if (eq > start) {
            gsize klen = eq - start;
            const char *key = s + start + (s[start] == '"' ? 1 : 0);
            if (s[start] == '"')
                klen--;
            if (cmdline_key_private(key, klen) && end > eq + 1) {
                g_autofree char *k = g_strndup(key, klen);
                g_byte_array_append(out, (const guint8 *)s + start, (guint)(eq + 1 - start));
                g_byte_array_append(out, (const guint8 *)"REDACTED", 8);
                if (s[start] == '"' && end - 1 > eq && s[end - 1] == '"')
                    g_byte_array_append(out, (const guint8 *)"\"", 1);
                if (!g_hash_table_contains(seen, k)) {
                    g_ptr_array_add(order, g_strdup(k));
                    g_hash_table_insert(seen, g_steal_pointer(&k), GUINT_TO_POINTER(1));
                } else {
                    g_hash_table_insert(seen, g_steal_pointer(&k),
                                        GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(seen, k)) + 1));
                }
                i = end;
                continue;
            }
        }
        g_byte_array_append(out, (const guint8 *)s + start, (guint)(end - start));
        i = end;
    }
    for (guint k = 0; k < order->len; k++) {
        const char *key = order->pdata[k];
        g_autofree char *what = g_strdup_printf("value of %s=", key);
        found_add(found, GPOINTER_TO_UINT(g_hash_table_lookup(seen, key)), what);
        g_free(order->pdata[k]);
    }
    {
        g_autoptr(GBytes) first = g_byte_array_free_to_bytes(g_steal_pointer(&out));
        return igd_redactor_text(r, first, found);
    }
}

void
igd_redact_config(guint8 *cfg, gsize len, GPtrArray *found)
{
    if (len >= 64 && (igd_le16(cfg + PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        guint ptr = cfg[PCI_CAPABILITY_LIST] & 0xfc;
        for (guint hops = 0; ptr >= 0x40 && ptr + 8 <= MIN(len, 256) && hops < 48; hops++) {
            if (cfg[ptr] == PCI_CAP_ID_VPD && igd_le32(cfg + ptr + 4) != 0) {
                g_autofree char *what = g_strdup_printf("VPD data register (capability at 0x%02x)", ptr);
                memset(cfg + ptr + 4, 0, 4);
                found_add(found, 1, what);
            }
            ptr = cfg[ptr + 1] & 0xfc;
        }
    }
    if (len >= PCI_EXT_CAP_START + 4) {
        guint off = PCI_EXT_CAP_START;
        for (guint hops = 0; off >= PCI_EXT_CAP_START && off + 4 <= len && hops < 1024; hops++) {
            guint32 hdr = igd_le32(cfg + off);
            if (hdr == 0 || hdr == 0xffffffff)
                break;
            if ((hdr & 0xffff) == PCI_EXT_CAP_ID_DSN && off + 12 <= len && igd_le64(cfg + off + 4) != 0) {
                g_autofree char *what =
                    g_strdup_printf("PCIe Device Serial Number (extended capability at 0x%03x)", off);
                memset(cfg + off + 4, 0, 8);
                found_add(found, 1, what);
            }
            off = (hdr >> 20) & 0xffc;
        }
    }
}


/* ------------------------------------------------------------------ the kernel log */

/* A PCI address at @i ("0000:00:02.0", "00:02.0", "0x00:0x02.0"); *@has_domain when it gave one. */
static gsize
match_pci(const char *s, gsize len, gsize i, IgdPciAddress *addr, gboolean *has_domain)
{
    guint v[4] = { 0, 0, 0, 0 };
    gsize p = i;

    memset(addr, 0, sizeof(*addr));
    if (i > 0 && (g_ascii_isalnum(s[i - 1]) || s[i - 1] == ':'))
        return 0;
    /* "0x00:0x02.0" (Linux 6.1+ DMAR fault reports) */
    if (len - i >= 9 && s[p] == '0' && s[p + 1] == 'x') {
        gsize q = p + 2;
        guint n = 0;
        for (guint k = 0; k < 2; k++) {
            guint digits = 0;
            guint val = 0;
            if (k == 1) {
                if (q + 2 > len || s[q] != '0' || s[q + 1] != 'x')
                    return 0;
                q += 2;
            }
            while (q < len && g_ascii_isxdigit(s[q]) && digits < 2) {
                val = val * 16 + (guint)g_ascii_xdigit_value(s[q++]);
                digits++;
            }
            if (digits == 0 || q >= len || s[q] != (k == 0 ? ':' : '.'))
                return 0;
            q++;
            v[n++] = val;
        }
        if (q >= len || s[q] < '0' || s[q] > '7' || (q + 1 < len && g_ascii_isalnum(s[q + 1])))
            return 0;
        addr->bus = (guint8)v[0];
        addr->slot = (guint8)v[1];
        addr->function = (guint8)(s[q] - '0');
        *has_domain = FALSE;
        return q + 1 - i;
    }
    /* "[DDDD:]BB:SS.F" */
    {
        const guint widths[] = { 4, 2, 2 };
        guint fields = 0;
        gsize q = p;
        gboolean dom = FALSE;

        /* with a domain when the first run of hex digits is 4 long */
        if (q + 4 <= len && g_ascii_isxdigit(s[q]) && g_ascii_isxdigit(s[q + 1]) && g_ascii_isxdigit(s[q + 2]) &&
            g_ascii_isxdigit(s[q + 3]) && q + 4 < len && s[q + 4] == ':')
            dom = TRUE;
        for (guint k = dom ? 0 : 1; k < 3; k++) {
            for (guint d = 0; d < widths[k]; d++) {
                if (q >= len || !g_ascii_isxdigit(s[q]))
                    return 0;
                v[k] = v[k] * 16 + (guint)g_ascii_xdigit_value(s[q++]);
            }
            if (q >= len || s[q] != (k < 2 ? ':' : '.'))
                return 0;
            q++;
            fields++;
        }
        if (q >= len || s[q] < '0' || s[q] > '7' || (q + 1 < len && g_ascii_isalnum(s[q + 1])))
            return 0;
        addr->domain = (guint16)v[0];
        addr->bus = (guint8)v[1];
        addr->slot = (guint8)v[2];
        addr->function = (guint8)(s[q] - '0');
        *has_domain = dom;
        (void)fields;
        return q + 1 - i;
    }
}

static gboolean
is_igd_address(const IgdPciAddress *igds, guint n_igds, const IgdPciAddress *a, gboolean has_domain)
{
    for (guint i = 0; i < n_igds; i++) {
        const IgdPciAddress *d = &igds[i];
        if ((!has_domain || d->domain == a->domain) && d->bus == a->bus && d->slot == a->slot &&
            d->function == a->function)
            return TRUE;
    }
    return FALSE;
}

static gboolean
contains(const char *s, gsize len, const char *needle)
{
    gsize n = strlen(needle);

    for (gsize i = 0; n <= len && i + n <= len; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
            return TRUE;
    return FALSE;
}

/* Keep a kernel log record? (see igd_redact_kernel_log()) */
static gboolean
keep_record(const IgdPciAddress *igds, guint n_igds, const char *s, gsize len)
{
    gboolean names_igd = FALSE, names_other = FALSE, keyword = FALSE;

    if (len > KMSG_RECORD_MAX || contains(s, len, "Command line:") || contains(s, len, "command line:"))
        return FALSE;
    for (gsize i = 0; i < len; i++) {
        IgdPciAddress a;
        gboolean dom = FALSE;
        gsize n;

        if (!g_ascii_isxdigit(s[i]))
            continue;
        n = match_pci(s, len, i, &a, &dom);
        if (n == 0)
            continue;
        if (is_igd_address(igds, n_igds, &a, dom))
            names_igd = TRUE;
        else
            names_other = TRUE;
        i += n - 1;
    }
    if (names_igd)
        return TRUE;
    if (names_other)
        return FALSE;
    for (gsize k = 0; k < G_N_ELEMENTS(kmsg_keywords) && !keyword; k++)
        keyword = contains(s, len, kmsg_keywords[k]);
    return keyword;
}


GBytes *
igd_redact_kernel_log(GBytes *log, const IgdPciAddress *igds, guint n_igds, guint *kept_records, guint *total)
{
    g_autoptr(GByteArray) kept = g_byte_array_new();
    gboolean keeping = FALSE;
    gsize len = 0;
    const char *s = g_bytes_get_data(log, &len);

    *kept_records = *total = 0;
    for (const char *line = s, *eod = s + len; line < eod;) {
        const char *nl = memchr(line, '\n', (gsize)(eod - line));
        gsize llen = nl ? (gsize)(nl - line) : (gsize)(eod - line);

        if (llen > 0 && *line == ' ') {
            /* a kmsg continuation line ( SUBSYSTEM=pci) belongs to the record above */
            if (keeping) {
                g_byte_array_append(kept, (const guint8 *)line, (guint)llen);
                g_byte_array_append(kept, (const guint8 *)"\n", 1);
            }
        } else if (llen > 0) {
            (*total)++;
            keeping = keep_record(igds, n_igds, line, llen);
            if (keeping) {
                (*kept_records)++;
                g_byte_array_append(kept, (const guint8 *)line, (guint)llen);
                g_byte_array_append(kept, (const guint8 *)"\n", 1);
            }
        }
        line += llen + 1;
    }
    return g_byte_array_free_to_bytes(g_steal_pointer(&kept));
}
