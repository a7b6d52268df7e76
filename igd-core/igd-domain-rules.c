/*
 * igd-domain-rules.c: the rules of SPEC.md §4, each a pair {check, fix}
 * over one domain (igd-domain.h). The table at the end is the one place a
 * rule is added; its order is the order of verify's findings and of the
 * rewrite's edits.
 */
#include "config.h"

#include <string.h>

#include "igd-common.h"
#include "igd-domain-rules.h"
#include "igd-requirements.h"
#include "igd-xml.h"

#define MODE_LEGACY (1u << IGD_MODE_LEGACY)
#define MODE_UPT    (1u << IGD_MODE_UPT)
#define MODE_BOTH   (MODE_LEGACY | MODE_UPT)

#define HINT_REWRITE "run 'igd-assign setup DOMAIN' (or 'igd-assign rewrite') to fix the definition"

static gboolean
is_root_slot(const IgdPciAddress *a, guint slot)
{
    return a->domain == 0 && a->bus == 0 && a->slot == slot;
}

static void fail(IgdRuleCtx *ctx, const char *id, const char *hint, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
fail(IgdRuleCtx *ctx, const char *id, const char *hint, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(ctx->findings, igd_finding_new(id, IGD_SEVERITY_FAIL, NULL, message, hint));
}

static void warn(IgdRuleCtx *ctx, const char *id, const char *hint, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/* A rule kept with a caveat: the definition works, the user should know (verify and the hook print it). */
static void
warn(IgdRuleCtx *ctx, const char *id, const char *hint, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list ap;

    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(ctx->findings, igd_finding_new(id, IGD_SEVERITY_WARN, NULL, message, hint));
}

static void change(IgdRuleCtx *ctx, const char *id, gboolean removes, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

/*
 * One edit a fix made, said once (the watcher's log line, `setup`, the
 * JSON "changes"): a NOTE, or a WARN when it took away something the
 * definition had (@removes).
 */
static void
change(IgdRuleCtx *ctx, const char *id, gboolean removes, const char *fmt, ...)
{
    g_autofree char *message = NULL;
    va_list ap;

    if (removes)
        ctx->removed++;
    if (ctx->changes == NULL)
        return;
    va_start(ap, fmt);
    message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(ctx->changes,
                    igd_finding_new(id, removes ? IGD_SEVERITY_WARN : IGD_SEVERITY_NOTE, NULL, message, NULL));
}

/* "<graphics type='spice'>", "<channel type='spicevmc'>", "<video>" of a device element, for change messages. */
static char *
describe(const xmlNode *node)
{
    g_autofree char *type = igd_xml_prop(node, "type");

    if (igd_xml_is(node, "video")) {
        xmlNode *model = igd_xml_child(node, "model");
        g_autofree char *m = model ? igd_xml_prop(model, "type") : NULL;
        return m ? g_strdup_printf("<video> model '%s'", m) : g_strdup("<video>");
    }
    if (type)
        return g_strdup_printf("<%s type='%s'>", (const char *)node->name, type);
    return g_strdup_printf("<%s>", (const char *)node->name);
}

static const char *
igd_alias(xmlNode *hostdev)
{
    xmlNode *alias = igd_xml_child(hostdev, "alias");
    xmlAttr *a = alias ? xmlHasProp(alias, (const xmlChar *)"name") : NULL;

    return a && a->children ? (const char *)a->children->content : IGD_DOMAIN_ALIAS;
}

/* ---- both modes ---- */

static void
check_x86(IgdRuleCtx *ctx)
{
    if (!ctx->dom->x86)
        fail(ctx, "x86", "IGD assignment needs an x86 QEMU/KVM domain", "%s", ctx->dom->not_x86_reason);
}

static void
check_igd_hostdev(IgdRuleCtx *ctx)
{
    char name[13];

    igd_pci_address_format(&ctx->dom->host, name);
    if (ctx->dom->igd_hostdevs->len == 0)
        fail(ctx, "igd-hostdev", HINT_REWRITE, "no PCI hostdev for the IGD %s", name);
    else if (ctx->dom->igd_hostdevs->len > 1)
        fail(ctx, "igd-count", "keep exactly one <hostdev> for the IGD", "%u hostdevs name the IGD, exactly one is allowed",
             ctx->dom->igd_hostdevs->len);
}

/* The IGD hostdev: the domain's, or a new one after the last hostdev (else at the end of <devices>). */
static void
fix_igd_hostdev(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    IgdDomainHostdev *h = igd_domain_get_igd(dom);
    xmlNode *before = NULL;

    if (dom->devices == NULL) {
        dom->devices = igd_xml_new("devices");
        igd_xml_insert(dom->root, dom->devices, NULL);
    }
    if (h) {
        ctx->igd = h->node;
        return;
    }
    for (xmlNode *c = dom->devices->children; c; c = c->next)
        if (igd_xml_is(c, "hostdev"))
            before = c;
    if (before) {
        before = before->next;
        while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
            before = before->next;
    }
    ctx->igd = igd_xml_new("hostdev");
    xmlSetProp(ctx->igd, (const xmlChar *)"mode", (const xmlChar *)"subsystem");
    xmlSetProp(ctx->igd, (const xmlChar *)"type", (const xmlChar *)"pci");
    xmlSetProp(ctx->igd, (const xmlChar *)"managed", (const xmlChar *)"no");
    igd_xml_insert(dom->devices, ctx->igd, before);
    {
        char name[13];

        igd_pci_address_format(&dom->host, name);
        change(ctx, "igd-hostdev", FALSE, "added the IGD hostdev of host device %s", name);
    }
}

static void
check_managed(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    /* libvirt detaches a managed device itself (virHostdevPreparePCIDevices) and gives it back to
     * its host driver when the domain stops: it works, but the host's display comes and goes */
    if (h && h->managed)
        warn(ctx, "managed",
             "to keep the IGD on vfio-pci between starts, run 'igd-assign setup DOMAIN' (it sets managed='no')",
             "the IGD hostdev is managed='yes': libvirt detaches the IGD from its host driver at each start and "
             "rebinds i915 when the domain stops");
}

static void
fix_managed(IgdRuleCtx *ctx)
{
    gboolean was_no = igd_xml_prop_eq(ctx->igd, "managed", "no") || !xmlHasProp(ctx->igd, (const xmlChar *)"managed");

    igd_xml_set(ctx->igd, "mode", "subsystem");
    igd_xml_set(ctx->igd, "managed", "no");
    if (!was_no)
        change(ctx, "managed", FALSE, "set managed='no' on the IGD hostdev");
}

static void
check_driver(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    if (h && h->driver && !g_str_equal(h->driver, "vfio"))
        fail(ctx, "driver", "use <driver name='vfio'/>", "the IGD hostdev does not use the vfio driver");
}

static void
fix_driver(IgdRuleCtx *ctx)
{
    xmlNode *source;
    xmlNode *driver = igd_xml_child(ctx->igd, "driver");
    g_autofree char *was = driver ? igd_xml_prop(driver, "name") : NULL;

    if (was && !g_str_equal(was, "vfio"))
        change(ctx, "driver", FALSE, "set <driver name='vfio'/> on the IGD hostdev (was '%s')", was);
    igd_xml_set(igd_xml_ensure_child(ctx->igd, "driver"), "name", "vfio");
    source = igd_xml_ensure_child(ctx->igd, "source");
    igd_xml_set_pci_address(igd_xml_ensure_child(source, "address"), &ctx->dom->host, FALSE);
}

/* A user alias ("ua-..."), which <qemu:override> can name. */
static void
fix_alias(IgdRuleCtx *ctx)
{
    xmlNode *alias = igd_xml_child(ctx->igd, "alias");
    g_autofree char *name = alias ? igd_xml_prop(alias, "name") : NULL;

    if (name == NULL || !g_str_has_prefix(name, "ua-")) {
        igd_xml_set(igd_xml_ensure_child(ctx->igd, "alias"), "name", IGD_DOMAIN_ALIAS);
        change(ctx, "alias", FALSE, "gave the IGD hostdev the alias '" IGD_DOMAIN_ALIAS "'");
    }
}

static void
fix_romfile(IgdRuleCtx *ctx)
{
    xmlNode *rom = igd_xml_child(ctx->igd, "rom");

    if (ctx->romfile == NULL || (rom && igd_xml_prop_eq(rom, "file", ctx->romfile)))
        return;
    igd_xml_set(igd_xml_ensure_child(ctx->igd, "rom"), "file", ctx->romfile);
    change(ctx, "romfile", FALSE, "set <rom file='%s'/> on the IGD hostdev", ctx->romfile);
}

/* ---- legacy ---- */

static void
check_legacy_address(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    if (h && !(h->guest_set && is_root_slot(&h->guest, 2) && h->guest.function == 0))
        fail(ctx, "legacy-address", HINT_REWRITE, "the IGD is not at guest address 00:02.0");
}

static void
fix_legacy_address(IgdRuleCtx *ctx)
{
    const IgdPciAddress at02 = { 0, 0, 2, 0 };
    IgdPciAddress was;
    xmlNode *addr = igd_xml_device_address(ctx->igd);
    gboolean at = addr && igd_xml_parse_pci_address(addr, &was) && igd_pci_address_equal(&was, &at02);

    igd_xml_set_pci_address(igd_xml_ensure_child(ctx->igd, "address"), &at02, TRUE);
    if (!at)
        change(ctx, "legacy-address", FALSE, "moved the IGD to guest address 00:02.0");
}

static void
check_legacy_rom(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    if (h && h->rom_disabled)
        fail(ctx, "legacy-rom", "remove <rom bar='off'/> from the IGD hostdev",
             "the IGD's ROM is disabled, legacy mode needs its VGA ROM");
}

static void
fix_legacy_rom(IgdRuleCtx *ctx)
{
    xmlNode *rom = igd_xml_child(ctx->igd, "rom");

    if (rom == NULL)
        return;
    if (igd_xml_prop_eq(rom, "bar", "off")) {
        igd_xml_unset(rom, "bar");
        change(ctx, "legacy-rom", TRUE, "removed <rom bar='off'/> from the IGD hostdev");
    }
    if (igd_xml_prop_eq(rom, "enabled", "no")) {
        igd_xml_unset(rom, "enabled");
        change(ctx, "legacy-rom", TRUE, "removed <rom enabled='no'/> from the IGD hostdev");
    }
    if (rom->properties == NULL)
        igd_xml_remove(rom);
}

static void
check_legacy_slots(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    for (xmlNode *c = ctx->dom->devices ? ctx->dom->devices->children : NULL; c; c = c->next) {
        IgdPciAddress a;
        if (c->type != XML_ELEMENT_NODE || (h && c == h->node))
            continue;
        if (!igd_xml_parse_pci_address(igd_xml_device_address(c), &a))
            continue;
        if (is_root_slot(&a, 2))
            fail(ctx, "legacy-02", HINT_REWRITE, "<%s> sits at guest address 00:02.%u, the IGD's place",
                 (const char *)c->name, a.function);
        else if (is_root_slot(&a, 0x1f))
            fail(ctx, "legacy-1f", HINT_REWRITE,
                 "<%s> sits at guest address 00:1f.%u, QEMU needs 1f.0 for the IGD LPC bridge", (const char *)c->name,
                 a.function);
    }
}

/* Devices at 00:02.* or 00:1f.* (other than the IGD) lose their address; libvirt reassigns them. */
static void
fix_legacy_slots(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    xmlNode *igd = ctx->igd;
    /* legacy-video replaces every video device unless the domain has one <video><model type='none'/>, kept */
    gboolean video_replaced = !igd_domain_video_is_none(dom);

    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        xmlNode *addr;
        IgdPciAddress a;

        /* video devices (but a kept 'none') and displays are replaced or removed by the rules that follow */
        if (c == igd || c->type != XML_ELEMENT_NODE || (video_replaced && igd_xml_is(c, "video")) ||
            igd_domain_is_display_only(c))
            continue;
        /*
         * libvirt reads a device's first <address>: once that one is gone the
         * next <address> is the device's, so it is judged in turn (each
         * looked at once, from where the last one stood).
         */
        addr = igd_xml_device_address(c);
        while (addr && igd_xml_parse_pci_address(addr, &a) && (is_root_slot(&a, 2) || is_root_slot(&a, 0x1f))) {
            g_autofree char *what = describe(c);
            xmlNode *next = addr->next;

            while (next && !igd_xml_is(next, "address"))
                next = next->next;
            igd_xml_remove(addr);
            change(ctx, "legacy-slots", FALSE, "took %s off guest address 00:%02x.%u (libvirt gives it another)",
                   what, a.slot, a.function);
            addr = next && igd_xml_prop_eq(next, "type", "pci") ? next : NULL;
        }
    }
}


static void
check_legacy_displays(IgdRuleCtx *ctx)
{
    for (xmlNode *c = ctx->dom->devices ? ctx->dom->devices->children : NULL; c; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (igd_xml_is(c, "hostdev") && igd_xml_prop_eq(c, "type", "mdev") && igd_xml_prop_eq(c, "display", "on"))
            fail(ctx, "legacy-mdev-display", HINT_REWRITE,
                 "a mediated device has display='on', which needs a <graphics> display");
        if (igd_xml_is(c, "graphics")) {
            g_autofree char *t = igd_xml_prop(c, "type");
            fail(ctx, "legacy-graphics", HINT_REWRITE, "a <graphics type='%s'> display is defined", t ? t : "?");
        } else if (igd_domain_is_display_only(c)) {
            fail(ctx, "legacy-spice", HINT_REWRITE, "<%s> needs a SPICE display, which legacy mode removes",
                 (const char *)c->name);
        }
    }
}

static void
fix_legacy_displays(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    xmlNode *c, *next;
    g_autoptr(GHashTable) removed_audio = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (c = dom->devices->children; c; c = next) {
        next = c->next;
        /* a mediated device's display (display='on', ramfb) needs a <graphics> too */
        if (igd_xml_is(c, "hostdev") && igd_xml_prop_eq(c, "type", "mdev")) {
            if (igd_xml_prop_eq(c, "display", "on")) {
                igd_xml_unset(c, "display");
                change(ctx, "legacy-mdev-display", TRUE, "removed display='on' from a mediated device");
            }
            if (xmlHasProp(c, (const xmlChar *)"ramfb")) {
                igd_xml_unset(c, "ramfb");
                change(ctx, "legacy-mdev-display", TRUE, "removed ramfb from a mediated device");
            }
            continue;
        }
        if (!igd_domain_is_display_only(c))
            continue;
        if (igd_xml_is(c, "audio")) {
            char *id = igd_xml_prop(c, "id");
            if (id)
                g_hash_table_add(removed_audio, id);
        }
        {
            g_autofree char *what = describe(c);
            const char *id = igd_xml_is(c, "graphics") ? "legacy-graphics" : "legacy-spice";

            igd_xml_remove(c);
            change(ctx, id, TRUE, "removed %s", what);
        }
    }
    /* <sound><audio id='N'/> pointing at a removed audio backend */
    if (g_hash_table_size(removed_audio)) {
        for (c = dom->devices->children; c; c = c->next) {
            xmlNode *a, *an;
            if (!igd_xml_is(c, "sound"))
                continue;
            for (a = c->children; a; a = an) {
                an = a->next;
                if (igd_xml_is(a, "audio")) {
                    g_autofree char *id = igd_xml_prop(a, "id");
                    if (id && g_hash_table_contains(removed_audio, id)) {
                        igd_xml_remove(a);
                        change(ctx, "legacy-spice", TRUE, "removed <audio id='%s'/> of <sound>", id);
                    }
                }
            }
        }
    }
}


/* Device elements libvirt gives a PCI slot of their own on i440fx (an estimate on the safe side). */
static gboolean
takes_pci_slot(const xmlNode *c)
{
    static const char *const always[] = { "interface", "sound", "rng", "shmem", "vsock", "filesystem", NULL };
    g_autofree char *type = NULL;
    g_autofree char *model = NULL;
    g_autofree char *bus = NULL;
    xmlNode *target;

    if (c->type != XML_ELEMENT_NODE || c->ns != NULL)
        return FALSE;
    if (g_strv_contains(always, (const char *)c->name))
        return TRUE;
    type = igd_xml_prop(c, "type");
    model = igd_xml_prop(c, "model");
    if (igd_xml_is(c, "hostdev"))
        return type && g_str_equal(type, "pci");
    if (igd_xml_is(c, "video")) {
        xmlNode *m = igd_xml_child(c, "model");
        return !(m && igd_xml_prop_eq(m, "type", "none"));
    }
    if (igd_xml_is(c, "memballoon") || igd_xml_is(c, "watchdog"))
        return model == NULL || !(g_str_equal(model, "none") || g_str_equal(model, "ib700") ||
                                  g_str_equal(model, "diag288") || g_str_equal(model, "itco"));
    if (igd_xml_is(c, "controller"))
        return type && (g_str_equal(type, "virtio-serial") || g_str_equal(type, "scsi") ||
                        (g_str_equal(type, "usb") && !(model && g_str_equal(model, "none"))) ||
                        (g_str_equal(type, "pci") && !(model && g_str_equal(model, "pci-root"))));
    target = igd_xml_child(c, "target");
    bus = target ? igd_xml_prop(target, "bus") : NULL;
    if (igd_xml_is(c, "disk") || igd_xml_is(c, "input"))
        return bus && g_str_equal(bus, "virtio");
    return FALSE;
}

/*
 * Devices that work behind a pci-bridge as well as on the root bus (what
 * legacy mode may move there): virtio disks. (NICs would do too, but
 * libvirt's domxml-to-native drops their addresses, so the move could not be
 * proven by the tests.)
 */
static gboolean
movable_to_bridge(const xmlNode *c)
{
    xmlNode *target;
    g_autofree char *bus = NULL;

    if (!igd_xml_is(c, "disk"))
        return FALSE;
    target = igd_xml_child(c, "target");
    bus = target ? igd_xml_prop(target, "bus") : NULL;
    return bus && g_str_equal(bus, "virtio");
}

#define IGD_BRIDGE_ALIAS_PREFIX "ua-igd-bridge"
#define IGD_BRIDGE_SLOTS        31 /* slots 1..31 of a pci-bridge take devices */

/*
 * libvirt fills the root bus slot by slot and reaches 1f only when 03..1e
 * are taken. When the devices without an address would get that far, the
 * last NICs and virtio disks are given addresses behind new pci-bridges
 * (explicitly placed on the highest free root slots) so that 00:1f.0 stays
 * free; when that is not possible, a warning says so.
 */
static void
fix_legacy_root_bus(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    gboolean used[32] = { FALSE };
    guint free_slots = 0, unaddressed = 0, bridges, moved;
    g_autoptr(GPtrArray) movable = g_ptr_array_new();
    guint max_index = 0;
    xmlNode *last_controller = NULL;

    used[0] = used[1] = used[2] = used[0x1f] = TRUE;
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        IgdPciAddress a;
        xmlNode *addr = c->type == XML_ELEMENT_NODE ? igd_xml_device_address(c) : NULL;
        if (igd_xml_is(c, "controller")) {
            last_controller = c;
            if (igd_xml_prop_eq(c, "type", "pci")) {
                g_autofree char *idx = igd_xml_prop(c, "index");
                guint64 v = idx ? g_ascii_strtoull(idx, NULL, 10) : 0;
                max_index = MAX(max_index, (guint)MIN(v, 255));
            }
        }
        if (addr && igd_xml_parse_pci_address(addr, &a)) {
            if (a.domain == 0 && a.bus == 0)
                used[a.slot] = TRUE;
        } else if (addr == NULL && takes_pci_slot(c)) {
            unaddressed++;
            if (movable_to_bridge(c))
                g_ptr_array_add(movable, c);
        }
    }
    /* libvirt adds a virtio memballoon to a domain that names none */
    if (igd_xml_child(dom->devices, "memballoon") == NULL)
        unaddressed++;
    for (guint s = 3; s < 0x1f; s++)
        free_slots += !used[s];
    if (unaddressed <= free_slots)
        return;

    /* B bridges take B root slots and hold 31 devices each */
    for (bridges = 1;; bridges++) {
        if (bridges >= free_slots || max_index + bridges > 255)
            goto warn;
        moved = unaddressed - (free_slots - bridges);
        if (moved <= bridges * IGD_BRIDGE_SLOTS)
            break;
    }
    if (moved > movable->len)
        goto warn;

    {
        guint is_root_slot = 0x1e;
        xmlNode *after = last_controller;
        guint first = movable->len - moved; /* the last devices of the document move */

        for (guint b = 0; b < bridges; b++) {
            xmlNode *ctl = igd_xml_new("controller");
            xmlNode *alias = igd_xml_new("alias");
            xmlNode *address = igd_xml_new("address");
            g_autofree char *index = g_strdup_printf("%u", max_index + 1 + b);
            g_autofree char *alias_name = g_strdup_printf(IGD_BRIDGE_ALIAS_PREFIX "%u", b);
            IgdPciAddress at = { 0, 0, 0, 0 };
            xmlNode *before;

            while (used[is_root_slot])
                is_root_slot--;
            used[is_root_slot] = TRUE;
            at.slot = is_root_slot;
            xmlSetProp(ctl, (const xmlChar *)"type", (const xmlChar *)"pci");
            xmlSetProp(ctl, (const xmlChar *)"index", (const xmlChar *)index);
            xmlSetProp(ctl, (const xmlChar *)"model", (const xmlChar *)"pci-bridge");
            xmlSetProp(alias, (const xmlChar *)"name", (const xmlChar *)alias_name);
            xmlAddChild(ctl, alias);
            xmlAddChild(ctl, address);
            igd_xml_set_pci_address(address, &at, TRUE);
            before = after ? after->next : NULL;
            while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
                before = before->next;
            igd_xml_insert(dom->devices, ctl, before);
            after = ctl;
        }
        for (guint i = 0; i < moved; i++) {
            xmlNode *dev = movable->pdata[first + i];
            xmlNode *address = igd_xml_new("address");
            IgdPciAddress at = { 0, (guint8)(max_index + 1 + i / IGD_BRIDGE_SLOTS), (guint8)(1 + i % IGD_BRIDGE_SLOTS), 0 };

            igd_xml_insert(dev, address, NULL);
            igd_xml_set_pci_address(address, &at, TRUE);
        }
        igd_findings_add(ctx->findings, "legacy-root-bus", IGD_SEVERITY_WARN, NULL, NULL,
                   "%u devices without an address and %u free slots on the root bus: %u of them moved behind %u "
                   "new pci-bridge%s so that 00:1f.0 stays free", unaddressed, free_slots, moved, bridges,
                   bridges > 1 ? "s" : "");
        change(ctx, "legacy-root-bus", FALSE, "added %u pci-bridge%s and moved %u virtio disk%s behind %s", bridges,
               bridges > 1 ? "s" : "", moved, moved > 1 ? "s" : "", bridges > 1 ? "them" : "it");
        return;
    }
warn:
    igd_findings_add(ctx->findings, "legacy-root-bus", IGD_SEVERITY_WARN, NULL, NULL,
               "%u devices without an address and %u free slots on the root bus: libvirt may put one at "
               "00:1f.0, which legacy mode needs free; give some of them addresses behind a pci-bridge",
               unaddressed, free_slots);
}


/*
 * The x-igd-gms the installed QEMU needs for the host's stolen memory on
 * this domain's machine (igd-qemu-model.c): >= 0 the value, -1 none (QEMU's
 * default gives the guest the host's stolen memory), -2 unknown (no
 * snapshot, QEMU or GMCH).
 */
static gint
needed_gms(const IgdRuleCtx *ctx)
{
    const IgdSnapshot *s = ctx->snapshot;
    IgdQemuIgdModel m = { 0 };
    IgdQemuModelRequest req;
    gint ret = -2;

    if (s == NULL || s->qemu == NULL || s->platform == NULL || !s->gmch_valid)
        return -2;
    igd_snapshot_model_request(s, &req);
    req.machine = ctx->dom->machine;
    if (igd_qemu_model_igd(s->qemu, &req, &m, NULL))
        ret = m.x_igd_gms_needed;
    igd_qemu_igd_model_clear(&m);
    return ret;
}

static void
check_legacy_gms(IgdRuleCtx *ctx)
{
    gint need = needed_gms(ctx);
    const IgdSnapshot *s = ctx->snapshot;

    if (need >= 0 && igd_domain_get_igd(ctx->dom) && ctx->dom->x_igd_gms != need)
        fail(ctx, "legacy-gms", HINT_REWRITE,
             "QEMU %u.%u gives the guest no stolen memory without x-igd-gms=%d (the host has %" G_GUINT64_FORMAT
             " MiB)", s->qemu->major, s->qemu->minor, need, s->gmch.stolen_bytes >> 20);
}

static void
fix_legacy_gms(IgdRuleCtx *ctx)
{
    gint need = needed_gms(ctx);

    xmlNode *was = igd_xml_override_find(ctx->dom->root, igd_alias(ctx->igd), "x-igd-gms");
    g_autofree char *was_value = was ? igd_xml_prop(was, "value") : NULL;

    if (need >= 0) {
        g_autofree char *v = g_strdup_printf("%d", need);
        igd_xml_override_set(ctx->dom->root, igd_alias(ctx->igd), "x-igd-gms", "unsigned", v);
        igd_findings_add(ctx->findings, "legacy-gms", IGD_SEVERITY_NOTE, NULL, NULL,
                         "x-igd-gms=%d so the guest gets the host's stolen memory", need);
        if (g_strcmp0(was_value, v) != 0)
            change(ctx, "legacy-gms", FALSE, "set x-igd-gms=%d (<qemu:override>)", need);
    } else if (need == -1) {
        igd_xml_override_remove(ctx->dom->root, igd_alias(ctx->igd), "x-igd-gms");
        if (was != NULL)
            change(ctx, "legacy-gms", FALSE, "removed x-igd-gms, which this QEMU does not need");
    }
}

/*
 * An x-igd-gms the installed QEMU crashes on (igd_qemu_gms_crashes(): 10.1
 * and later take a refused value down with a NULL dereference) is never
 * kept: the rewrite removes it, whatever the mode (the legacy-gms rule may
 * then set the value QEMU needs). The requirement "qemu-crash" reports it
 * for verify and the hook.
 */
static void
fix_crashing_gms(IgdRuleCtx *ctx)
{
    const IgdSnapshot *s = ctx->snapshot;
    g_autofree char *why = NULL;

    if (s == NULL || ctx->dom->x_igd_gms <= 0 || !igd_qemu_gms_crashes(s->qemu, s->device_id, ctx->dom->x_igd_gms, &why))
        return;
    igd_xml_override_remove(ctx->dom->root, igd_alias(ctx->igd), "x-igd-gms");
    igd_findings_add(ctx->findings, "x-igd-gms", IGD_SEVERITY_WARN, NULL, NULL, "x-igd-gms=%d removed: %s",
                     ctx->dom->x_igd_gms, why);
    change(ctx, "x-igd-gms", FALSE, "removed x-igd-gms=%d, which this QEMU crashes on", ctx->dom->x_igd_gms);
}

static void
check_legacy_video(IgdRuleCtx *ctx)
{
    if (!igd_domain_video_is_none(ctx->dom))
        fail(ctx, "legacy-video", HINT_REWRITE,
             "an emulated video device is defined; legacy mode needs <video><model type='none'/></video>");
}

static void
fix_legacy_video(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    xmlNode *c, *next, *first_video = NULL;

    if (!igd_domain_video_is_none(dom)) {
        for (c = dom->devices->children; c; c = next) {
            next = c->next;
            if (!igd_xml_is(c, "video"))
                continue;
            if (first_video == NULL) {
                /* keep the place of the first video device */
                first_video = igd_xml_new("video");
                xmlNode *model = igd_xml_new("model");
                xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"none");
                xmlAddChild(first_video, model);
                igd_xml_insert(dom->devices, first_video, c);
            }
            {
                xmlNode *model = igd_xml_child(c, "model");
                gboolean none = model && igd_xml_prop_eq(model, "type", "none");
                g_autofree char *what = describe(c);

                igd_xml_remove(c);
                /* an emulated video card is something the definition had; a 'none' is nothing */
                if (!none)
                    change(ctx, "legacy-video", TRUE, "removed %s", what);
            }
        }
        if (first_video != NULL)
            change(ctx, "legacy-video", FALSE, "added <video><model type='none'/>");
        if (first_video == NULL) {
            xmlNode *video = igd_xml_new("video");
            xmlNode *model = igd_xml_new("model");
            xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"none");
            xmlAddChild(video, model);
            igd_xml_insert(dom->devices, video, NULL);
            change(ctx, "legacy-video", FALSE, "added <video><model type='none'/>");
        }
    }
}

/* ---- UPT ---- */

static void
check_upt_address(IgdRuleCtx *ctx)
{
    IgdDomainHostdev *h = igd_domain_get_igd(ctx->dom);

    if (h && h->guest_set && is_root_slot(&h->guest, 2))
        fail(ctx, "upt-address", HINT_REWRITE, "UPT mode must not place the IGD at guest address 00:02.0");
}

/* An explicit slot on the root bus for a UPT IGD on i440fx: first slot no device claims. */
static gboolean
upt_free_slot(const IgdDomain *dom, xmlNode *igd, guint *slot)
{
    gboolean used[32] = { FALSE };

    used[0] = used[1] = used[2] = used[0x1f] = TRUE; /* host bridge, PIIX3, primary video, ICH */
    for (xmlNode *c = dom->devices->children; c; c = c->next) {
        IgdPciAddress a;
        if (c == igd || c->type != XML_ELEMENT_NODE)
            continue;
        if (igd_xml_parse_pci_address(igd_xml_device_address(c), &a) && a.domain == 0 && a.bus == 0)
            used[a.slot] = TRUE;
    }
    for (guint s = 3; s < 0x1f; s++) {
        if (!used[s]) {
            *slot = s;
            return TRUE;
        }
    }
    return FALSE;
}

static void
fix_upt_video(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    xmlNode *c, *next, *first_none = NULL;
    xmlNode *video, *model;

    if (igd_domain_has_emulated_video(dom)) {
        /* libvirt: "a 'none' video type must be the only video device defined for the domain" */
        g_autoptr(GPtrArray) none = g_ptr_array_new();

        for (c = dom->devices->children; c; c = c->next) {
            xmlNode *m = igd_xml_child(c, "model");
            if (igd_xml_is(c, "video") && m && igd_xml_prop_eq(m, "type", "none"))
                g_ptr_array_add(none, c);
        }
        for (guint i = 0; i < none->len; i++) {
            igd_xml_remove(g_ptr_array_index(none, i));
            change(ctx, "upt-video", FALSE, "removed <video><model type='none'/> next to an emulated video");
        }
        return;
    }
    for (c = dom->devices->children; c; c = next) {
        next = c->next;
        if (igd_xml_is(c, "video")) {
            if (first_none == NULL)
                first_none = c;
            else
                igd_xml_remove(c);
        }
    }
    video = igd_xml_new("video");
    model = igd_xml_new("model");
    xmlSetProp(model, (const xmlChar *)"type", (const xmlChar *)"vga");
    xmlAddChild(video, model);
    if (first_none) {
        igd_xml_insert(dom->devices, video, first_none);
        igd_xml_remove(first_none);
        change(ctx, "upt-video", FALSE, "replaced <video><model type='none'/> by an emulated <video><model type='vga'/>");
    } else {
        /* after the last graphics/input device if any, else at the end */
        igd_xml_insert(dom->devices, video, NULL);
        change(ctx, "upt-video", FALSE, "added an emulated <video><model type='vga'/>");
    }
}


static void
fix_upt_address(IgdRuleCtx *ctx)
{
    IgdDomain *dom = ctx->dom;
    xmlNode *addr = igd_xml_device_address(ctx->igd);
    IgdPciAddress a;
    guint slot;

    if (addr != NULL && igd_xml_parse_pci_address(addr, &a) && !is_root_slot(&a, 2))
        return;
    if (dom->machine_kind == IGD_MACHINE_I440FX && upt_free_slot(dom, ctx->igd, &slot)) {
        IgdPciAddress to = { 0, 0, slot, 0 };
        igd_xml_set_pci_address(igd_xml_ensure_child(ctx->igd, "address"), &to, TRUE);
        change(ctx, "upt-address", FALSE, "moved the IGD to guest address 00:%02x.0", slot);
    } else if (addr) {
        /* q35: libvirt puts the hostdev behind a pcie-root-port */
        igd_xml_remove(addr);
        change(ctx, "upt-address", FALSE, "took the IGD off guest address 00:02.0 (libvirt gives it another)");
    }
}

static void
check_upt_video(IgdRuleCtx *ctx)
{
    if (!igd_domain_has_emulated_video(ctx->dom))
        fail(ctx, "upt-video", HINT_REWRITE, "UPT mode needs an emulated primary video device");
}

static void
fix_opregion(IgdRuleCtx *ctx)
{
    xmlNode *was;

    if (!ctx->opregion)
        return;
    was = igd_xml_override_find(ctx->dom->root, igd_alias(ctx->igd), "x-igd-opregion");
    igd_xml_override_set(ctx->dom->root, igd_alias(ctx->igd), "x-igd-opregion", "bool", "true");
    if (was == NULL || !igd_xml_prop_eq(was, "value", "true"))
        change(ctx, "opregion", FALSE, "set x-igd-opregion=true (<qemu:override>)");
}

/*
 * ---- both modes, OVMF: the guest's physical address bits within the IOMMU's
 * address width (QEMU docs/igd-assign.txt "Known issues"; igd-requirements.c
 * judge_iommu_width() says why). Only where the host's width is known and
 * bounds something QEMU can set (32..51 bits).
 */
static gboolean
iommu_width_applies(const IgdRuleCtx *ctx, guint *width)
{
    const IgdSnapshot *s = ctx->snapshot;

    if (!ctx->dom->ovmf || s == NULL || !(s->parts & IGD_SNAPSHOT_HOST) || s->iommu_width < IGD_QEMU_PHYS_BITS_MIN ||
        s->iommu_width >= IGD_QEMU_PHYS_BITS_MAX)
        return FALSE;
    *width = s->iommu_width;
    return TRUE;
}

/* -cpu host/max, or <maxphysaddr mode='passthrough'> (host-phys-bits=on): only a host-phys-bits-limit bounds it. */
static gboolean
uses_host_bits(const IgdDomain *dom)
{
    return dom->cpu_host || g_strcmp0(dom->maxphysaddr_mode, "passthrough") == 0;
}

static void
check_iommu_width(IgdRuleCtx *ctx)
{
    guint w;
    gint bits;
    g_autofree char *fix = NULL;
    g_autofree char *got = NULL;

    if (!iommu_width_applies(ctx, &w))
        return;
    bits = igd_domain_guest_phys_bits(ctx->dom, ctx->snapshot->cpu_phys_bits);
    if (bits > 0 && (guint)bits <= w)
        return;
    fix = igd_requirements_phys_bits_fix(uses_host_bits(ctx->dom), w);
    got = bits > 0 ? g_strdup_printf("%d", bits) : g_strdup("the host CPU's (unknown here)");
    warn(ctx, "iommu-width", fix,
         "the guest CPU gets %s physical address bits, more than the IOMMU's %u: OVMF may place 64-bit PCI BARs "
         "where VFIO cannot map them", got, w);
}

/* The domain's <cpu>, made where libvirt writes it (after <os> and <features>) when missing. */
static xmlNode *
ensure_cpu(IgdDomain *dom)
{
    xmlNode *after = NULL, *before;

    if (dom->cpu)
        return dom->cpu;
    for (xmlNode *c = dom->root->children; c; c = c->next)
        if (igd_xml_is(c, "os") || igd_xml_is(c, "features"))
            after = c;
    before = after ? after->next : NULL;
    while (before && before->type != XML_ELEMENT_NODE && before->type != XML_COMMENT_NODE)
        before = before->next;
    if (after == NULL)
        before = dom->devices; /* no <os>: before <devices> (NULL: at the end) */
    dom->cpu = igd_xml_new("cpu");
    igd_xml_insert(dom->root, dom->cpu, before);
    return dom->cpu;
}

static void
fix_iommu_width(IgdRuleCtx *ctx)
{
    static const char *const drivers[] = { IGD_DOMAIN_CPU_GLOBAL, IGD_DOMAIN_CPU_GLOBAL_HOST, NULL };
    IgdDomain *dom = ctx->dom;
    guint w;
    gint bits;
    g_autofree char *wtext = NULL;
    xmlNode *mpa;

    if (!iommu_width_applies(ctx, &w))
        return;
    bits = igd_domain_guest_phys_bits(dom, ctx->snapshot->cpu_phys_bits);
    if (bits > 0 && (guint)bits <= w)
        return;
    wtext = g_strdup_printf("%u", w);
    mpa = igd_xml_child(dom->cpu, "maxphysaddr");
    if (uses_host_bits(dom)) {
        g_autofree char *old = NULL;
        xmlNode *arg = igd_xml_commandline_find_global(dom->root, drivers, "host-phys-bits-limit", &old);

        if (g_strcmp0(dom->maxphysaddr_mode, "passthrough") == 0 && dom->maxphysaddr_limit > (gint)w) {
            /* a libvirt that wrote limit= (9.3+) reads it: lower it */
            igd_xml_set(mpa, "limit", wtext);
            change(ctx, "iommu-width", FALSE, "lowered <maxphysaddr limit> to %u", w);
            igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_WARN, NULL, NULL,
                             "<maxphysaddr limit='%d'> lowered to %u, the IOMMU's address width (OVMF guest)",
                             dom->maxphysaddr_limit, w);
        } else if (arg != NULL) {
            g_autofree char *value = igd_xml_prop(arg, "value");
            g_autofree char *driver = g_strndup(value, strcspn(value, "."));
            g_autofree char *set = g_strdup_printf("%s.host-phys-bits-limit=%u", driver, w);

            igd_xml_set(arg, "value", set);
            change(ctx, "iommu-width", FALSE, "lowered -global %s.host-phys-bits-limit to %u", driver, w);
            igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_WARN, NULL, NULL,
                             "-global %s.host-phys-bits-limit=%s lowered to %u, the IOMMU's address width (OVMF guest)",
                             driver, old, w);
        } else {
            igd_xml_commandline_set_global(dom->root, IGD_DOMAIN_CPU_GLOBAL, "host-phys-bits-limit", wtext);
            change(ctx, "iommu-width", FALSE, "added -global " IGD_DOMAIN_CPU_GLOBAL ".host-phys-bits-limit=%u", w);
            igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_NOTE, NULL, NULL,
                             "-global " IGD_DOMAIN_CPU_GLOBAL ".host-phys-bits-limit=%u (<qemu:commandline>): the "
                             "OVMF guest gets at most the IOMMU's %u physical address bits (-cpu host takes the "
                             "host's and ignores <maxphysaddr mode='emulate'>)", w, w);
        }
        return;
    }
    if (mpa == NULL) {
        mpa = igd_xml_new("maxphysaddr");
        xmlSetProp(mpa, (const xmlChar *)"mode", (const xmlChar *)"emulate");
        xmlSetProp(mpa, (const xmlChar *)"bits", (const xmlChar *)wtext);
        igd_xml_insert(ensure_cpu(dom), mpa, NULL);
        change(ctx, "iommu-width", FALSE, "added <maxphysaddr mode='emulate' bits='%u'/>", w);
        igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_NOTE, NULL, NULL,
                         "<maxphysaddr mode='emulate' bits='%u'/>: the OVMF guest gets at most the IOMMU's %u "
                         "physical address bits (QEMU's default is %d)", w, w, IGD_DOMAIN_QEMU_DEFAULT_PHYS_BITS);
    } else if (g_strcmp0(dom->maxphysaddr_mode, "emulate") == 0) {
        igd_xml_set(mpa, "bits", wtext);
        change(ctx, "iommu-width", FALSE, "set <maxphysaddr bits='%u'>", w);
        if (dom->maxphysaddr_bits > 0)
            igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_WARN, NULL, NULL,
                             "<maxphysaddr bits='%d'> lowered to %u, the IOMMU's address width (OVMF guest)",
                             dom->maxphysaddr_bits, w);
        else
            igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_NOTE, NULL, NULL,
                             "<maxphysaddr mode='emulate'> given bits='%u', the IOMMU's address width (OVMF guest)", w);
    } else {
        /* a mode libvirt does not know: the user's, left alone */
        g_autofree char *fix = igd_requirements_phys_bits_fix(FALSE, w);
        igd_findings_add(ctx->findings, "iommu-width", IGD_SEVERITY_WARN, NULL, fix,
                         "<maxphysaddr mode='%s'> left alone: the OVMF guest may get more physical address bits than "
                         "the IOMMU's %u", dom->maxphysaddr_mode, w);
    }
}

/* The order libvirt writes a PCI hostdev's children in (and domain.rng accepts). */
static const char *const hostdev_order[] = {
    "driver", "teaming", "source", "alias", "acpi", "boot", "rom", "address", "readonly", "shareable", NULL,
};

static guint
hostdev_rank(const xmlNode *n)
{
    if (n->type == XML_ELEMENT_NODE && n->ns == NULL)
        for (guint i = 0; hostdev_order[i]; i++)
            if (g_str_equal((const char *)n->name, hostdev_order[i]))
                return i;
    return G_N_ELEMENTS(hostdev_order);
}

/* Put the hostdev's children in libvirt's order and indent them uniformly. */
static void
fix_layout(IgdRuleCtx *ctx)
{
    xmlNode *hostdev = ctx->igd;
    g_autoptr(GPtrArray) kids = g_ptr_array_new();
    GPtrArray *by_rank[G_N_ELEMENTS(hostdev_order) + 1]; /* hostdev_rank(): 0 .. G_N_ELEMENTS() */
    g_autofree char *indent = igd_xml_indent(hostdev);
    xmlNode *c, *next;

    /* stable, by rank: one list per rank, then the lists in order (linear in the children) */
    for (guint r = 0; r < G_N_ELEMENTS(by_rank); r++)
        by_rank[r] = g_ptr_array_new();
    for (c = hostdev->children; c; c = next) {
        next = c->next;
        xmlUnlinkNode(c);
        if (igd_xml_is_blank(c))
            xmlFreeNode(c);
        else
            g_ptr_array_add(by_rank[hostdev_rank(c)], c);
    }
    for (guint r = 0; r < G_N_ELEMENTS(by_rank); r++)
        g_ptr_array_extend_and_steal(kids, by_rank[r]);
    for (guint i = 0; i < kids->len; i++) {
        xmlNode *k = kids->pdata[i];
        /* strip blank text inside <source> too: it is re-indented below */
        if (igd_xml_is(k, "source")) {
            for (xmlNode *s = k->children; s; s = next) {
                next = s->next;
                if (igd_xml_is_blank(s)) {
                    xmlUnlinkNode(s);
                    xmlFreeNode(s);
                }
            }
        }
        xmlAddChild(hostdev, k);
    }
    if (indent || hostdev->parent == NULL)
        igd_xml_format_tree(hostdev, indent ? indent : "");
}

/* ---- the table ---- */

typedef struct {
    const char *id;
    guint modes;
    void (*check)(IgdRuleCtx *ctx);
    void (*fix)(IgdRuleCtx *ctx);
} Rule;

static const Rule rules[] = {
    { "x86", MODE_BOTH, check_x86, NULL },
    { "igd-hostdev", MODE_BOTH, check_igd_hostdev, fix_igd_hostdev },
    { "managed", MODE_BOTH, check_managed, fix_managed },
    { "driver", MODE_BOTH, check_driver, fix_driver },
    { "alias", MODE_BOTH, NULL, fix_alias },
    { "romfile", MODE_BOTH, NULL, fix_romfile },
    { "legacy-address", MODE_LEGACY, check_legacy_address, fix_legacy_address },
    { "legacy-rom", MODE_LEGACY, check_legacy_rom, fix_legacy_rom },
    { "legacy-slots", MODE_LEGACY, check_legacy_slots, fix_legacy_slots },
    { "legacy-video", MODE_LEGACY, check_legacy_video, fix_legacy_video },
    { "legacy-displays", MODE_LEGACY, check_legacy_displays, fix_legacy_displays },
    { "legacy-root-bus", MODE_LEGACY, NULL, fix_legacy_root_bus },
    { "x-igd-gms", MODE_BOTH, NULL, fix_crashing_gms },
    { "legacy-gms", MODE_LEGACY, check_legacy_gms, fix_legacy_gms },
    { "upt-address", MODE_UPT, check_upt_address, fix_upt_address },
    { "upt-video", MODE_UPT, check_upt_video, fix_upt_video },
    { "opregion", MODE_BOTH, NULL, fix_opregion },
    { "iommu-width", MODE_BOTH, check_iommu_width, fix_iommu_width },
    { "layout", MODE_BOTH, NULL, fix_layout },
};

void
igd_domain_rules_check(IgdRuleCtx *ctx)
{
    for (gsize i = 0; i < G_N_ELEMENTS(rules); i++)
        if ((rules[i].modes & (1u << ctx->mode)) && rules[i].check)
            rules[i].check(ctx);
}

void
igd_domain_rules_fix(IgdRuleCtx *ctx)
{
    for (gsize i = 0; i < G_N_ELEMENTS(rules); i++)
        if ((rules[i].modes & (1u << ctx->mode)) && rules[i].fix)
            rules[i].fix(ctx);
}

void
igd_domain_rules_mend_guest(const IgdDomain *dom, const IgdSnapshot *snapshot, IgdGuest *guest)
{
    IgdRuleCtx ctx = { 0 };
    guint width = 0;

    ctx.dom = (IgdDomain *)dom; /* read only */
    ctx.snapshot = snapshot;
    if (snapshot != NULL && igd_qemu_gms_crashes(snapshot->qemu, snapshot->device_id, guest->x_igd_gms, NULL))
        guest->x_igd_gms = -1; /* rule "x-igd-gms" removes it */
    if (iommu_width_applies(&ctx, &width) && (guest->phys_bits < 0 || (guint)guest->phys_bits > width))
        guest->phys_bits = (gint)width; /* rule "iommu-width" limits it */
}
